"""oroint settings, read from the environment.

Safe defaults: debug is off unless DJANGO_DEBUG=1 (script/server sets it for the demo), and
`manage.py check --deploy` (oroint.checks) fails loudly when a deployment is missing its secrets.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("OROINT_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# Debug is opt-in: its error pages show settings, the environment and local variables.
DEBUG = _env_bool("DJANGO_DEBUG", False)
# A fixed development key stands in when SECRET_KEY is not set; `check --deploy` refuses it (oroint.checks).
DEV_SECRET_KEY = "oroint-dev-only-not-secret"
SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# Fernet keys (urlsafe base64, 32 bytes). The first encrypts; the rest still decrypt, for rotation.
DEV_FIELD_ENCRYPTION_KEY = "b3JvaW50LWRldi1vbmx5LWtleS1ub3Qtc2VjcmV0ISE="
FIELD_ENCRYPTION_KEYS = [
    k.strip() for k in os.environ.get("FIELD_ENCRYPTION_KEYS", DEV_FIELD_ENCRYPTION_KEY).split(",") if k.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_rq",
    "rest_framework",
    "guardian",
    "import_export",
    "rangefilter",
    "oroint",
    "channels",
    "integrations",
    # Every connector is an app of its own (settings model, form, migrations): each folder of
    # integrations/connectors/ with an apps.py, so that adding a connector edits no list here.
    *sorted(
        f"integrations.connectors.{p.parent.name}" for p in (BASE_DIR / "integrations/connectors").glob("*/apps.py")
    ),
    # Connectors (or other apps) installed as packages of their own, comma separated.
    *[a.strip() for a in os.environ.get("OROINT_EXTRA_APPS", "").split(",") if a.strip()],
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "oroint.urls"

# Error pages and error emails hide URL passwords (REDIS_URL, DATABASE_URL...) and secrets by name,
# with DEBUG on too (see oroint/redaction.py).
DEFAULT_EXCEPTION_REPORTER_FILTER = "oroint.redaction.CredentialsHidingFilter"

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

WSGI_APPLICATION = "oroint.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'oroint.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Workers and the web server write concurrently: wait for the lock instead of failing,
    # and keep the test database in a file so that worker processes can share it.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 30, "transaction_mode": "IMMEDIATE"})
    # One file per test process, so that two test runs on one machine never share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-oroint-{os.getpid()}.sqlite3")}

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# The zone every time is shown in (stored in UTC whatever this says); the pages name it.
TIME_ZONE = os.environ.get("OROINT_TIME_ZONE", "UTC")
# One date format on every page, with the zone shown (oroint/formats/en/formats.py).
FORMAT_MODULE_PATH = ["oroint.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Files oroint owns (product images it pushes to the stores).
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("OROINT_MEDIA_ROOT", VAR_DIR / "media"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# CSV imports of the catalog (channels.imports): each file in a transaction, rolled back on a bad row
# unless the admin chose to skip bad rows.
IMPORT_EXPORT_USE_TRANSACTIONS = True
STATIC_ROOT = VAR_DIR / "static"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "admin:login"

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
RQ_QUEUES = {
    "default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600},
    "sync": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 6 * 3600},
    # Check Connection alone, with a worker of its own: an admin waiting on a check never waits behind a sync.
    "check": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600},
}
# Jobs are enqueued with our own ids after our own rows are written, so enqueue at once. The worker
# class also ends the runs and checks whose job failed before it could (see oroint/worker.py).
RQ = {"COMMIT_MODE": "auto", "WORKER_CLASS": "oroint.worker.Worker"}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "oroint@localhost")
# Where people reach this back office: the links of the emails it sends start with it.
OROINT_SITE_URL = os.environ.get("OROINT_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}

# Sync tuning; each can be overridden from the environment.
OROINT_SYNC = {
    "PAGE_SIZE": int(os.environ.get("OROINT_SYNC_PAGE_SIZE", "100")),
    "OVERLAP_SECONDS": int(os.environ.get("OROINT_SYNC_OVERLAP_SECONDS", "300")),
    "STALE_AFTER_SECONDS": int(os.environ.get("OROINT_SYNC_STALE_AFTER_SECONDS", "30")),
    "CONNECT_TIMEOUT": float(os.environ.get("OROINT_CONNECT_TIMEOUT", "10")),
    "OPERATION_TIMEOUT": float(os.environ.get("OROINT_OPERATION_TIMEOUT", "60")),
    # The longest one remote call may take, first byte to last: read timeouts alone let a store that
    # sends a byte every few seconds hold a worker for hours.
    "CALL_DEADLINE": float(os.environ.get("OROINT_CALL_DEADLINE", "120")),
    # The most read of one answer (MB in the environment): an endless answer must not fill the worker's memory.
    "MAX_RESPONSE_BYTES": int(float(os.environ.get("OROINT_MAX_RESPONSE_MB", "256")) * 1024 * 1024),
    # Seconds to wait before each retry of a transient failure (HTTP 5xx, dropped connection...).
    "RETRY_DELAYS": tuple(float(d) for d in os.environ.get("OROINT_SYNC_RETRY_DELAYS", "1,3,9,20").split(",") if d),
}

# Run logs and resolved quarantine records older than this many days are pruned (0: never).
OROINT_PRUNE_AFTER_DAYS = int(os.environ.get("OROINT_PRUNE_AFTER_DAYS", "90"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"zeep": {"level": "WARNING"}, "urllib3": {"level": "WARNING"}},
}
