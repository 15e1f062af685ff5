"""Links that open a door without a login: a firm's follow-up survey, an engineer's visit reports.

The secret is `secrets.token_urlsafe(32)` (256 random bits) and lives only in the link itself: the record keeps
its SHA-256 hash, as a password is kept (a hash of 256 random bits cannot be guessed back, so no slow hash is
needed). Issuing a new link overwrites the hash, which invalidates the older one; revoking clears it. A link
expires after settings.ACCESS_LINK_DAYS. The views look a record up by the hash alone and then filter every
query by that record, so a link opens only its own data.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta
from enum import Enum

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 100  # a longer path segment is not one of ours: refused before any hashing or query


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


class LinkRefusal(Enum):
    """Why a link opens nothing. None of them says anything about any record."""

    UNKNOWN = "unknown"  # forged, mistyped, replaced by a newer link, or revoked: 404
    EXPIRED = "expired"  # 410
    USED = "used"  # a follow-up already answered or closed: 410


class LinkHolder(models.Model):
    """A record that can be opened through a link (abstract: the hash and its expiry live on the record)."""

    link_url_name = None  # the view the link opens, e.g. "portal:followup"

    link_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    link_issued_at = models.DateTimeField(_("링크 발급일시"), null=True, blank=True, editable=False)
    link_expires_at = models.DateTimeField(_("링크 만료일시"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    def issue_link(self):
        """A fresh link's path (its only copy: it cannot be shown again); any older link stops working."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        now = timezone.now()
        self.link_hash = hash_token(token)
        self.link_issued_at = now
        self.link_expires_at = now + timedelta(days=settings.ACCESS_LINK_DAYS)
        # An update, not save(): issuing a link is no edit of the record (no history entry, no version bump).
        type(self).objects.filter(pk=self.pk).update(
            link_hash=self.link_hash, link_issued_at=self.link_issued_at, link_expires_at=self.link_expires_at
        )
        return reverse(self.link_url_name, args=[token])

    def revoke_link(self):
        self.link_hash = self.link_expires_at = None
        type(self).objects.filter(pk=self.pk).update(link_hash=None, link_expires_at=None)

    @property
    def link_is_active(self):
        return bool(self.link_hash) and self.link_expires_at is not None and self.link_expires_at > timezone.now()

    def link_refusal(self):
        """Why this record's link opens nothing now (None: it opens). Subclasses add their own reasons."""
        if self.link_expires_at is None or self.link_expires_at <= timezone.now():
            return LinkRefusal.EXPIRED
        return None

    @classmethod
    def open_link(cls, token, queryset=None):
        """(record, None) for a valid link's token, else (None, LinkRefusal)."""
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
            return None, LinkRefusal.UNKNOWN
        digest = hash_token(token)
        record = (queryset if queryset is not None else cls.objects.all()).filter(link_hash=digest).first()
        if record is None or not hmac.compare_digest(record.link_hash, digest):
            return None, LinkRefusal.UNKNOWN
        refusal = record.link_refusal()
        if refusal is not None:
            return None, refusal
        return record, None
