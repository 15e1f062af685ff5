"""Logs without the secrets of link URLs.

A firm's or an engineer's link carries its token in the path (/followup/<token>/, /mentor/<token>/); a log that
kept it would be a list of working keys. gunicorn's access log (`RedactingLogger`) writes `/followup/…/` instead,
in the request line, the path and the Referer (the link pages send a same-origin Referer to the site's other
pages); Django's own log lines (e.g. django.request's "Gone: /followup/<token>/") pass `RedactLinkTokens`.
"""

import logging
import re

from gunicorn.glogging import Logger

LINK_TOKEN = re.compile(r"/(followup|mentor)/[^/?#\s]+")
REDACTED = r"/\1/…"


def redact(text):
    return LINK_TOKEN.sub(REDACTED, text) if isinstance(text, str) else text


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f", "{referer}i"):
            if key in atoms:
                atoms[key] = redact(atoms[key])
        return atoms


class RedactLinkTokens(logging.Filter):
    """A logging filter for the app's handlers: link tokens out of the message, its arguments and the request."""

    def filter(self, record):
        record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) for arg in record.args)
        if hasattr(record, "request"):
            record.request = redact(repr(record.request))
        return True
