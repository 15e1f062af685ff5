"""Placeholder views; replaced by the portal's real pages."""

from django.http import Http404


def followup(request, token):
    raise Http404


def mentor(request, token):
    raise Http404
