import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import translation

from cases.seeding import seed
from tests.roles import member_of


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


@pytest.fixture(autouse=True)
def default_language_after_each_test():
    """A request activates its language in the test's thread (tracker/middleware.py) and it stays active after it,
    as in a server's worker until its next request: start every test in Korean, whatever the last one asked for."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def seeded(db):
    """The study's 12 cases, loaded the way `manage.py seed` loads them."""
    return seed()


@pytest.fixture
def editor(client, db):
    """The test client, logged in as a member of 편집자 (editors)."""
    client.force_login(member_of("편집자", "editor"))
    return client


@pytest.fixture
def viewer(client, db):
    """The test client, logged in as a member of 열람자 (viewers)."""
    client.force_login(member_of("열람자", "viewer"))
    return client
