import pytest
from django.test import override_settings

from cases.seeding import seed


@pytest.fixture(autouse=True, scope="session")
def plain_static_storage():
    """Serve static files unhashed in tests: the manifest exists only after collectstatic,
    which tests/test_deployment.py exercises on its own."""
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        yield


@pytest.fixture
def seeded(db):
    """The study's 12 cases, loaded the way `manage.py seed` loads them."""
    return seed()
