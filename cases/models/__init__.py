"""The catalogue's domain, one module per part (import from `cases.models`):

- vocabulary.py — industries, guidance areas, outcome patterns, evolution paths (staff extend them)
- firms.py — firms: the public anonymous name and the private business and contact data
- engineers.py — the engineer registry (`Mentor`)
- lifecycle.py — a case's stages and transitions (`Stage`, `StageChange`)
- case.py — the case and its per-screen querysets
- outcomes.py — outcome statements and metrics
- visits.py — guidance visits and their rules, the engineers' reports and staff's review
- followups.py — follow-up surveys after completion and their answers
- costs.py — the cost ledger: subsidy and firm's share
- links.py — links that open a firm's or an engineer's page without a login
- counts.py — published cases counted by the public filters' values, kept by triggers
- system.py — the data version and the seed's records
"""

from .case import (
    FIRST_PROGRAM_YEAR,
    LAST_PLAUSIBLE_YEAR,
    SIMILAR_CANDIDATES,
    Case,
    CaseOverview,
    CaseQuerySet,
    period_years,
)
from .costs import CostLine, subsidy_at
from .counts import ANY_AREA, PublishedCount
from .engineers import Mentor, MentorQuerySet
from .firms import (
    Firm,
    Region,
    format_registration_number,
    normalize_registration_number,
    registration_number_is_valid,
    validate_registration_number,
)
from .followups import Adoption, FollowUp, FollowUpAdoption, FollowUpMeasurement, add_months
from .lifecycle import OPEN_STAGES, PUBLISHABLE_STAGES, STAGE_PERMISSION, Stage, StageChange
from .links import LinkHolder, LinkRefusal, hash_token
from .outcomes import Metric, Outcome, format_quantity
from .system import DataVersion, SeedRecord
from .visits import MAX_HOURS_PER_DAY, Visit
from .vocabulary import (
    CodedModel,
    CodeManager,
    EvolutionPath,
    GuidanceArea,
    Industry,
    MetricKind,
    OutcomePattern,
)

__all__ = [
    "ANY_AREA",
    "Adoption",
    "CostLine",
    "FollowUp",
    "FollowUpAdoption",
    "FollowUpMeasurement",
    "LinkHolder",
    "LinkRefusal",
    "MetricKind",
    "add_months",
    "hash_token",
    "subsidy_at",
    "FIRST_PROGRAM_YEAR",
    "LAST_PLAUSIBLE_YEAR",
    "MAX_HOURS_PER_DAY",
    "OPEN_STAGES",
    "PUBLISHABLE_STAGES",
    "SIMILAR_CANDIDATES",
    "STAGE_PERMISSION",
    "Case",
    "CaseOverview",
    "CaseQuerySet",
    "CodeManager",
    "CodedModel",
    "DataVersion",
    "EvolutionPath",
    "Firm",
    "GuidanceArea",
    "Industry",
    "Mentor",
    "MentorQuerySet",
    "Metric",
    "Outcome",
    "OutcomePattern",
    "PublishedCount",
    "Region",
    "SeedRecord",
    "Stage",
    "StageChange",
    "Visit",
    "format_quantity",
    "format_registration_number",
    "normalize_registration_number",
    "period_years",
    "registration_number_is_valid",
    "validate_registration_number",
]
