from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from .models import Case


class NewCasesFeed(Feed):
    """Atom feed of the most recently published cases."""

    feed_type = Atom1Feed
    title = "일본 퇴직기술자 기술지도 사례: 새로 공개된 사례"
    subtitle = "한·일산업기술협력재단 일본 우수퇴직기술자 유치 사업의 기술지도 사례"
    link = reverse_lazy("cases:list")
    language = "ko"

    def items(self):
        return Case.objects.recently_published()

    def item_title(self, case):
        return f"{case.firm.name}: {case.firm.products}"

    def item_description(self, case):
        return f"{case.outcome_pattern.name}. 지도내용: {case.guidance} 주요 성과: {case.outcomes}"

    def item_pubdate(self, case):
        return case.published_at

    def item_updateddate(self, case):
        return case.updated_at
