"""Settings for the case tracker, read from the environment.

Safe by default: DEBUG is off unless DJANGO_DEBUG says otherwise, and outside DEBUG the
secret key and allowed hosts must be given explicitly.
"""

import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name, default):
    """Read a boolean; an unrecognised value is a configuration error, not False."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off).")


def env_list(name, default=()):
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", default=False)

if DEBUG:
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-never-use-in-production")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
else:
    try:
        SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
    except KeyError:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.") from None
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off.")

INSTALLED_APPS = [
    "tracker.apps.TrackerAdminConfig",  # django.contrib.admin with the two-factor login site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "rest_framework",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "simple_history",
    "import_export",
    # Domain apps, dependencies running downwards: staff → applications → cases → privacy.
    "privacy",  # the personal-data inventory, the access log and the permission to see personal data
    "cases",  # the catalogue: firms, engineers, cases and their lifecycle, matching, visits, public pages
    "applications",  # firms' applications for guidance (/apply/) and how staff accept or decline them
    "portal",  # the pages firms and engineers open through their links (/followup/<token>/, /mentor/<token>/)
    "staff",  # the staff dashboard (the admin's home page), the yearly report, reminders
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # After the header middleware, so its 400 carries the security headers too.
    "tracker.middleware.reject_oversized_queries",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language from the URL (public pages) or the switch's cookie (others), never Accept-Language.
    "tracker.middleware.language",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records which staff member made each change in the cases' history.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: turns a locked-out login into the lockout response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses logins for locked-out usernames
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "tracker.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "tracker.wsgi.application"

# SQLite file by default so a new user needs no server; DATABASE_URL=postgres://... in production.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Connections are reused for a minute (checked before reuse): a new PostgreSQL connection per request
        # costs more than most pages (docs/performance.md measures both).
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
WORK_MEM_KB = {"kB": 1, "MB": 1024, "GB": 1024 * 1024}
WORK_MEM_RANGE_KB = (64, 2147483647)  # what PostgreSQL accepts
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Memory per sort or hash before PostgreSQL spills to disk. A broad search's first grouping joins ~100,000
    # case-area pairs and sorted them on disk at the default 4 MB (docs/performance.md, "After an edit"). Empty:
    # not set by the app (behind a pooler that refuses startup options; set it for the database role instead).
    WORK_MEM = os.environ.get("DJANGO_DB_WORK_MEM", "32MB")
    if WORK_MEM:
        # A value PostgreSQL refuses would fail every connection, and so every page: stop the start instead.
        size = re.fullmatch(r"([0-9]+)(kB|MB|GB)", WORK_MEM)
        if not size or not (WORK_MEM_RANGE_KB[0] <= int(size[1]) * WORK_MEM_KB[size[2]] <= WORK_MEM_RANGE_KB[1]):
            raise ImproperlyConfigured(
                f"DJANGO_DB_WORK_MEM must be a size from 64kB to 2047GB such as 32MB, or empty, not {WORK_MEM!r}."
            )
        options = DATABASES["default"].setdefault("OPTIONS", {})
        # Kept beside any options DATABASE_URL gives (e.g. ?options=-c search_path=…).
        options["options"] = f"{options.get('options', '')} -c work_mem={WORK_MEM}".strip()

# The public pages' facet counts and rendered results are cached under the DataVersion token that database
# triggers change on every write (cases/facets.py), so nothing cached is ever served after an edit, on any
# instance. A file cache: shared by all workers of an instance, no cache server needed.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "public": {
        "BACKEND": "tracker.cache.FileCache",  # Django's file cache, counting its files less often
        "LOCATION": os.environ.get("DJANGO_CACHE_DIR", BASE_DIR / ".cache" / "public"),
        "TIMEOUT": 60 * 60 * 24,  # entries of old tokens are never read again: they just age out
        "OPTIONS": {"MAX_ENTRIES": 5000, "CULL_EVERY": 100},
        # Bump when what this cache holds changes shape (a new facet, a new part of a page), so a deploy never
        # reads entries an older release wrote under the same data version.
        "VERSION": 3,
    },
    "disabled": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    # Each worker's own memory, for what is cheap to compute once per worker and data version (a case page's
    # similar cases, the staff report's outcomes): it never crowds the shared cache above.
    "local": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "local",
        "TIMEOUT": 60 * 60,
        "OPTIONS": {"MAX_ENTRIES": 20000},
    },
}
# Off (DJANGO_CACHE_PUBLIC_PAGES=false): every request renders its page (the counts stay cached). For measuring.
CACHE_PUBLIC_PAGES = env_bool("DJANGO_CACHE_PUBLIC_PAGES", default=True)
# How long a shared cache (a proxy or CDN) may serve a public page without asking (s-maxage). 0: every reuse is
# checked with If-None-Match first, so nothing is served after a write (cases/views.py, docs/deployment.md).
PUBLIC_CACHE_SECONDS = int(os.environ.get("DJANGO_PUBLIC_CACHE_SECONDS", "0"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Korean first: the interface is Korean unless the visitor picks 日本語 or English (remembered in a cookie).
# Case content stays as entered (Korean). Compiled catalogues live in locale/ so no gettext is needed to run.
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", "한국어"), ("ja", "日本語"), ("en", "English")]
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles")  # filled by collectstatic
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# The study's data, loaded insert-only by `manage.py seed`.
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "cases.pagination.TailPageNumberPagination",
    "PAGE_SIZE": 20,
}

# Staff imports run in one transaction: a file with any bad row writes nothing.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# --- E-mail: staff hear of new applications --------------------------------------------------------------
# `make run` (DEBUG) prints mails on the console; production sends through SMTP configured here.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "case-tracker@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Who hears of a new application; empty: every active staff member allowed to see applications who has an e-mail.
APPLICATION_NOTIFY_EMAILS = env_list("DJANGO_APPLICATION_NOTIFY_EMAILS")
# Who hears of cases in guidance without a recent visit (send_reminders); empty: every active staff member who
# may change a case's stage and has an e-mail address.
REMINDER_STAFF_EMAILS = env_list("DJANGO_REMINDER_STAFF_EMAILS")
# Mails sent outside a request (send_reminders) need the site's address for their links.
SITE_URL = os.environ.get("DJANGO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Follow-ups and links ---------------------------------------------------------------------------------
# A completed case's follow-up surveys: months after completion for the completion survey, the first and the
# second follow-up (three numbers, ascending).
FOLLOWUP_MONTHS = [int(value) for value in env_list("DJANGO_FOLLOWUP_MONTHS", default=["0", "6", "12"])]
if len(FOLLOWUP_MONTHS) != 3 or FOLLOWUP_MONTHS != sorted(FOLLOWUP_MONTHS) or FOLLOWUP_MONTHS[0] < 0:
    raise ImproperlyConfigured("DJANGO_FOLLOWUP_MONTHS must be three ascending month offsets, e.g. 0,6,12.")
# How long a firm's or an engineer's link opens its page (days).
ACCESS_LINK_DAYS = int(os.environ.get("DJANGO_ACCESS_LINK_DAYS", "30"))
# send_reminders: follow-ups due within this many days (or overdue) are reminded; cases in guidance without a
# visit for IDLE_GUIDANCE_DAYS are reported to staff.
REMINDER_DAYS_BEFORE_DUE = int(os.environ.get("DJANGO_REMINDER_DAYS_BEFORE_DUE", "7"))
IDLE_GUIDANCE_DAYS = int(os.environ.get("DJANGO_IDLE_GUIDANCE_DAYS", "60"))

# --- Security -----------------------------------------------------------------------------------------
# Behind a TLS-terminating proxy, trust its X-Forwarded-Proto (only when told: a spoofed header is otherwise ignored).
if env_bool("DJANGO_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = 0 if DEBUG else 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# __Host- cookies must be Secure, host-only and Path=/: nothing on another subdomain can set or read them.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_NAME = "sessionid" if DEBUG else "__Host-sessionid"
CSRF_COOKIE_NAME = "csrftoken" if DEBUG else "__Host-csrftoken"
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = LANGUAGE_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = LANGUAGE_COOKIE_SAMESITE = "Lax"
# An over-long query string or too many parameters is a 400 (tracker/middleware.py), never work for the database.
MAX_QUERY_STRING_LENGTH = 2048
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Admin login: AXES_FAILURE_LIMIT failed attempts for one username lock that username (from any address) for
# AXES_COOLOFF_TIME hours. Locking by username, not IP, means one attacker cannot lock every staff member out by
# cycling addresses, and a shared office IP is never locked. Counters live in the database (shared by instances).
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("DJANGO_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = False
# Optional TOTP two-factor login for staff (tracker/admin_site.py); required for superusers when this is on.
REQUIRE_2FA = env_bool("DJANGO_REQUIRE_2FA", default=False)

# axes.W006 asks for IP-based lockout too; we lock by username on purpose (see above).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# --- Logging: JSON lines on stdout, for the platform's log collector -----------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    # Link tokens never reach the log (tracker/access_log.py).
    "filters": {"no_link_tokens": {"()": "tracker.access_log.RedactLinkTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["no_link_tokens"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
