"""The data-protection inventory (개인정보 보호법): every field that holds personal or business data.

SECURITY.md lists the same fields. None of them may appear on a public page, in the API, an export, the feed, in
search results or in the search text (tests/test_privacy.py plants a unique string in each and looks everywhere
public); only staff with the `privacy.view_personal_data` permission see them, and every opening is logged.
"""

# model label -> private field names; "__all__" means every field of the model.
PRIVATE_FIELDS = {
    "cases.firm": ("legal_name", "registration_number", "contact_name", "contact_email", "contact_phone"),
    "cases.mentor": ("real_name", "email", "phone"),
    "cases.case": ("request_text",),  # the firm's own words from its application
    "applications.application": "__all__",
}

VIEW_PERMISSION = "privacy.view_personal_data"


def private_fields(model):
    """The private field names of `model` (empty when it holds none)."""
    fields = PRIVATE_FIELDS.get(model._meta.label_lower, ())
    if fields == "__all__":
        return tuple(field.name for field in model._meta.get_fields() if getattr(field, "concrete", False))
    return fields
