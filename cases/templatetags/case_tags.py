import re
import unicodedata

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from cases.search import search_terms

register = template.Library()


@register.filter
def highlight(text, query):
    """Escape `text` and wrap the words of search `query` in <mark> (case-insensitive)."""
    text = unicodedata.normalize("NFC", str(text or ""))
    terms = search_terms(query or "")
    if not terms:
        return escape(text)
    pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
    pieces, last = [], 0
    for match in pattern.finditer(text):
        pieces.append(escape(text[last : match.start()]))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))  # noqa: S308 -- every piece is escaped above
