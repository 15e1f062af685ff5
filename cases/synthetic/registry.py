"""The synthetic registry: firms and engineers (with the areas and industries they know)."""

from ..models import Firm, Mentor
from .plan import Engineer


def make_firm(rng, vocabulary, prefix, n):
    products = ", ".join(rng.sample(vocabulary.products, k=rng.randint(1, 3)))
    return Firm(
        code=f"{prefix}-F{n:06d}",
        name=f"합성 {prefix.upper()}-{n:06d} 기업",
        products=products[:200],
        industry=rng.choice(vocabulary.industries),
    )


def make_engineer(rng, vocabulary, clock, prefix, n):
    years = rng.choice([None, None, rng.randint(20, 50)])
    areas = rng.sample(vocabulary.areas, k=rng.randint(2, 5))
    industries = rng.sample(vocabulary.industries, k=rng.randint(1, 3))
    status = rng.choices(Mentor.Status.values, weights=(85, 10, 5))[0]  # mostly active, some paused, a few left
    mentor = Mentor(
        code=f"{prefix}-M{n:06d}",
        name=f"합성 퇴직기술자 {n:06d}",
        background=f"일본 제조업체에서 {years}년 넘게 근무했다." if years else "",
        years_of_experience=years,
        real_name=f"합성 기술자 {n:06d}",
        email=f"{prefix}-m{n:06d}@example.invalid",
        phone=f"000-0000-{n % 10000:04d}",
        former_employer=f"일본 {industries[0].name} 기업 (합성)",
        specialty=", ".join(area.name for area in areas[:2]),
        speaks_japanese=True,
        speaks_korean=rng.random() < 0.35,
        speaks_english=rng.random() < 0.4,
        status=status,
        capacity=rng.randint(1, 4),
    )
    return Engineer(mentor, areas, industries, busy=bytearray(clock.week + 2))


def create_engineers(engineers, batch_size):
    existing = set(Mentor.objects.filter(code__in=[e.mentor.code for e in engineers]).values_list("code", flat=True))
    new = [engineer for engineer in engineers if engineer.mentor.code not in existing]
    Mentor.objects.bulk_create([engineer.mentor for engineer in new], batch_size=batch_size)
    Areas, Industries = Mentor.guidance_areas.through, Mentor.industries.through
    Areas.objects.bulk_create(
        [Areas(mentor_id=e.mentor.pk, guidancearea_id=area.pk) for e in new for area in e.areas], batch_size=batch_size
    )
    Industries.objects.bulk_create(
        [Industries(mentor_id=e.mentor.pk, industry_id=industry.pk) for e in new for industry in e.industries],
        batch_size=batch_size,
    )
