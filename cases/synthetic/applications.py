"""Synthetic applications: accepted ones behind the cases that came through /apply/, waiting and declined ones.
The applications app sits above cases, so its models are reached through the app registry."""

from datetime import timedelta

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from ..models import Region
from ..models.firms import REGISTRATION_WEIGHTS
from .plan import DECLINE_REASONS, DECLINED_APPLICATIONS_PER_CASE, REFERENCE_ALPHABET, WAITING_APPLICATIONS_PER_CASE


def application_models():
    if not apps.is_installed("applications"):
        return []
    Application = apps.get_model("applications", "Application")
    return [Application, Application.wished_areas.through]


def make_application(rng, vocabulary, submitted_at, *, state, decided_at=None):
    n = rng.randrange(1_000_000)
    raw = "SYN" + "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(13))
    return {
        "reference": "-".join(raw[i : i + 4] for i in range(0, 16, 4)),  # like the real ones: XXXX-XXXX-XXXX-XXXX
        "company_name": f"합성 신청 기업 {n:06d}",
        "registration_number": _registration_number(rng),
        "region": rng.choice(Region.values),
        "industry": rng.choice(vocabulary.industries),
        "products": rng.choice(vocabulary.products)[:200],
        "employees": rng.randint(5, 300),
        "contact_name": f"합성 담당자 {n:06d}",
        "contact_email": f"a{n:06d}@example.invalid",
        "contact_phone": f"000-0000-{n % 10000:04d}",
        "bottleneck": rng.choice(vocabulary.backgrounds),
        "wished_areas": rng.sample(vocabulary.areas, k=rng.randint(1, 2)),
        "wished_start": timezone.localdate(submitted_at) + timedelta(days=rng.randint(30, 90))
        if rng.random() < 0.6
        else None,
        "consent_version": "synthetic",
        "consented_at": submitted_at,
        "submitted_at": submitted_at,
        "state": state,
        "decided_at": decided_at,
        "decline_reason": rng.choice(DECLINE_REASONS) if state == "declined" else "",
    }


def _registration_number(rng):
    """Ten digits whose last is the check digit (cases.models.firms), so the form's validation accepts it."""
    digits = [rng.randrange(10) for _ in range(9)]
    total = sum(d * w for d, w in zip(digits, REGISTRATION_WEIGHTS, strict=True)) + digits[8] * 5 // 10
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def create_applications(rows):
    """Applications from `rows` (dicts of _application, plus firm_id and case_id when accepted), skipping the
    references that exist; returns how many were created."""
    models = application_models()
    if not models or not rows:
        return 0
    Application, Through = models
    existing = set(
        Application.objects.filter(reference__in=[row["reference"] for row in rows]).values_list("reference", flat=True)
    )
    new = [row for row in rows if row["reference"] not in existing]
    created = Application.objects.bulk_create(
        [Application(**{key: value for key, value in row.items() if key != "wished_areas"}) for row in new]
    )
    Through.objects.bulk_create(
        [
            Through(application_id=application.pk, guidancearea_id=area.pk)
            for application, row in zip(created, new, strict=True)
            for area in row["wished_areas"]
        ]
    )
    return len(created)


def create_unlinked_applications(rng, vocabulary, clock, count):
    """Applications still waiting (of various ages, the oldest a month) and declined ones (over two years)."""
    rows = []
    for _n in range(max(3, round(count * WAITING_APPLICATIONS_PER_CASE))):
        submitted = clock.now - timedelta(minutes=rng.randrange(30 * 24 * 60))
        rows.append(make_application(rng, vocabulary, submitted, state="new"))
    for _n in range(max(2, round(count * DECLINED_APPLICATIONS_PER_CASE))):
        submitted = clock.moment(rng, clock.today - timedelta(days=rng.randint(5, 730)))
        decided = min(submitted + timedelta(days=rng.randint(1, 10)), clock.now)
        rows.append(make_application(rng, vocabulary, submitted, state="declined", decided_at=decided))
    with transaction.atomic():
        create_applications(rows)
