"""The staff roles: a staff member of one of them (`member_of`), and the roles as the migrations create them,
for tests whose database is flushed (live-server tests).

A flush keeps the permissions (post_migrate recreates them) but empties the groups.
"""

from importlib import import_module

from django.apps import apps as django_apps
from django.contrib.auth.models import Group, User

ROLE_MIGRATIONS = [
    ("cases.migrations.0003_staff_groups", "assign_groups"),
    ("cases.migrations.0009_roles_for_lifecycle_and_visits", "assign"),
    ("cases.migrations.0012_metric_kinds_roles_and_triggers", "assign"),
    ("applications.migrations.0002_roles", "assign"),
]


def restore_roles():
    """편집자 and 열람자 with every permission the migrations grant them."""
    for module, function in ROLE_MIGRATIONS:
        getattr(import_module(module), function)(django_apps)


def member_of(group_name, username):
    """A staff user in the group `group_name` (편집자 or 열람자), with only that group's permissions."""
    user = User.objects.create_user(username, password="a-long-staff-password", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user
