"""The staff admin for the catalogue, one module per part (each registers its models)."""

from . import case, followups, people, visits, vocabulary  # noqa: F401
