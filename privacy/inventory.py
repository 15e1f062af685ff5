"""The data-protection inventory (개인정보 보호법): every field that holds personal or business data.

SECURITY.md lists the same fields. None of them may appear on a public page, in the API, an export, the feed, in
search results or in the search text (tests/test_privacy.py plants a unique string in each and looks everywhere
public); only staff with the `privacy.view_personal_data` permission see them, and every opening is logged.

How long it is kept is stated here too, so the consent text (applications/consent.py) and the purge
(`manage.py purge_personal_data`) read the same numbers.
"""

# model label -> private field names; "__all__" means every field of the model.
PRIVATE_FIELDS = {
    "cases.firm": ("legal_name", "registration_number", "contact_name", "contact_email", "contact_phone"),
    "cases.mentor": ("real_name", "email", "phone"),
    "cases.case": ("request_text",),  # the firm's own words from its application
    "cases.followup": ("comment",),  # the firm's free-text answer to a follow-up survey
    "applications.application": "__all__",
}

VIEW_PERMISSION = "privacy.view_personal_data"

# The retention period the consent states: a firm's or an engineer's personal data is kept for 3 years after
# their last activity (the newest change to one of their cases, their visits or their own record), then erased.
PERSONAL_DATA_RETENTION_DAYS = 3 * 365

# A declined application's purpose has ended with the decision. The law asks for erasure "without delay"
# (within 5 days, 표준 개인정보 보호지침); the purge waits 3 days so a decision made by mistake can be undone.
DECLINED_APPLICATION_GRACE_DAYS = 3

# What the purge erases (model label -> field names). For firms, engineers and cases: exactly their private
# fields. An application keeps what is neither personal nor identifying once these are gone (its reference
# number, region, industry, wished areas and start, the consent's version and time, the decision and its
# reason) so the program's statistics and the proof of consent survive.
ERASED_ON_PURGE = {
    "cases.firm": PRIVATE_FIELDS["cases.firm"],
    "cases.mentor": PRIVATE_FIELDS["cases.mentor"],
    "cases.case": PRIVATE_FIELDS["cases.case"],
    "cases.followup": PRIVATE_FIELDS["cases.followup"],
    "applications.application": (
        "company_name",
        "registration_number",
        "products",
        "employees",
        "contact_name",
        "contact_email",
        "contact_phone",
        "bottleneck",
        "client_fingerprint",
    ),
}


def private_fields(model):
    """The private field names of `model` (empty when it holds none)."""
    fields = PRIVATE_FIELDS.get(model._meta.label_lower, ())
    if fields == "__all__":
        return tuple(field.name for field in model._meta.get_fields() if getattr(field, "concrete", False))
    return fields


def erased_fields(model):
    """The field names the purge erases on `model` (empty when it erases none)."""
    return ERASED_ON_PURGE.get(model._meta.label_lower, ())
