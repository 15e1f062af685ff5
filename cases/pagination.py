"""Numbered pages that cost the same at the end of a long list as at its start."""

from django.core.paginator import Paginator
from rest_framework.pagination import PageNumberPagination


class TailPaginator(Paginator):
    """A paginator for ordered querysets whose late pages cost what the first ones do.

    OFFSET makes the database walk past every skipped row, so page 2,000 of 100,000 cases would cost 2,000 times
    page 1. Two remedies: past the middle, the page's ids are read in reverse order with the offset counted from
    the end, so the last page is as cheap as the first and no page skips more than half the list; and the skipping
    walks only ids (an index), then the page's rows alone are read from `rows` (the same cases with their joins,
    without the filters, which the ids already applied).
    `count`, when known (the listing takes it from its cached facet counts), saves the COUNT(*) query.
    """

    def __init__(self, object_list, per_page, *, count=None, rows=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.rows = object_list if rows is None else rows
        if count is not None:
            self.__dict__["count"] = count  # fills the cached_property

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if bottom <= self.count // 2:
            ids = self.object_list.values("pk")[bottom:top]
        else:
            ids = self.object_list.reverse().values("pk")[self.count - top : self.count - bottom]
        rows = self.rows.filter(pk__in=ids).order_by(*self.object_list.query.order_by)
        return self._get_page(rows, number, self)


class TailPageNumberPagination(PageNumberPagination):
    """The API's {count, next, previous, results} pages, with the same cheap late pages."""

    def paginate_queryset(self, queryset, request, view=None):
        # The view's unfiltered queryset carries the joins and prefetches each page's rows need; its filterset
        # (validated by now: bad filters raised) counts from the kept counts, as the listing page does.
        self.rows = view.get_queryset() if view is not None else None
        filterset = getattr(view, "filterset", None)
        self.count = filterset.total() if filterset is not None else None
        return super().paginate_queryset(queryset, request, view)

    def django_paginator_class(self, queryset, page_size):  # DRF builds its paginator through this name
        return TailPaginator(queryset, page_size, rows=self.rows, count=self.count)
