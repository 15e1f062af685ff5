"""The per-address limit on applications: at most 5 stored applications per address an hour.

Counted in the database (the applications themselves), so the limit holds across gunicorn workers and
instances. The address is never stored: each application keeps only a keyed hash of it (`client_fingerprint`,
HMAC-SHA256 with a key derived from SECRET_KEY). `settings.APPLICATION_RATE_LIMIT = (count, seconds)` overrides
the default.
"""

import ipaddress
import re
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import Application

DEFAULT_RATE_LIMIT = (5, 3600)
# Two-key PostgreSQL advisory locks: this number says "an address submitting an application".
ADVISORY_LOCK_NAMESPACE = 0x4150504C  # "APPL"

_IPV4_WITH_PORT = re.compile(r"^(\d{1,3}(?:\.\d{1,3}){3}):\d+$")
_BRACKETED_IPV6 = re.compile(r"^\[([0-9A-Fa-f:.]+)\](?::\d+)?$")


class RateLimited(Exception):
    """This address has reached the limit; `retry_after` is how many seconds until it may apply again."""

    def __init__(self, retry_after):
        super().__init__(retry_after)
        self.retry_after = retry_after


def rate_limit():
    """(how many applications, per how many seconds)."""
    return getattr(settings, "APPLICATION_RATE_LIMIT", DEFAULT_RATE_LIMIT)


def client_address(request):
    """The sender's address: REMOTE_ADDR, or behind our proxy the last X-Forwarded-For entry.

    Behind the proxy (DJANGO_BEHIND_PROXY sets SECURE_PROXY_SSL_HEADER) REMOTE_ADDR is the proxy itself; the last
    X-Forwarded-For entry is the one the proxy appended, the earlier ones are whatever the client sent. An IPv6
    address counts by its /64: one home or office gets a whole /64 and could otherwise walk through it.
    """
    candidates = [request.META.get("REMOTE_ADDR", "")]
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        candidates.insert(0, request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1])
    for candidate in candidates:
        address = _parse_address(candidate)
        if address is not None:
            return address
    return "unknown"  # nothing usable: all such requests share one allowance


def _parse_address(value):
    value = value.strip()
    for pattern in (_IPV4_WITH_PORT, _BRACKETED_IPV6):  # some proxies append the port
        match = pattern.match(value)
        if match:
            value = match.group(1)
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def client_fingerprint(request):
    """A keyed hash of the sender's address (64 hex characters): equal for one address, meaningless without the key."""
    return salted_hmac("applications.throttle", client_address(request), algorithm="sha256").hexdigest()


def check(fingerprint, *, pending=0):
    """Raise RateLimited when this address has used its allowance.

    `pending`: how many of the counted applications are the caller's own, not yet committed (see `hold`).
    """
    limit, window = rate_limit()
    since = timezone.now() - timedelta(seconds=window)
    recent = Application.objects.filter(client_fingerprint=fingerprint, submitted_at__gte=since)
    if recent.count() - pending >= limit:
        oldest = recent.order_by("submitted_at").values_list("submitted_at", flat=True).first()
        wait = (oldest + timedelta(seconds=window) - timezone.now()).total_seconds() if oldest else window
        raise RateLimited(max(1, int(wait) + 1))


def hold(fingerprint):
    """Inside a transaction: wait until no other submission from this address is between its count and commit.

    PostgreSQL: a transaction-scoped advisory lock on the address. SQLite lets one writer at a time anyway: the
    caller's insert comes before its count, so the count sees every application committed before it.
    """
    if connection.vendor == "postgresql":
        key = int(fingerprint[:8], 16) - 2**31  # the lock's second key is a signed 32-bit integer
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ADVISORY_LOCK_NAMESPACE, key])
