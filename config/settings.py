"""FOIA Workbench settings, read from the environment (see README's table)."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_choice, env_int, env_list, env_path, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = env_path("VAR_DIR", BASE_DIR / "var")

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (set DEBUG=1 for local work)."
        )
    SECRET_KEY = "insecure-development-key-only-for-debug-mode"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "django_q",
    "foia",
    "documents",
    "search",
    "accounts",
    "desk",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.LoginRequiredForPagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

if not DEBUG:
    # Serves collected static files in production; runserver does it in DEBUG.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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

# Database: SQLite file by default, DATABASE_URL for anything else.
_database_url = env_str("DATABASE_URL")
if _database_url:
    try:
        _database = dj_database_url.parse(_database_url, conn_max_age=60)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL cannot be used: {exc}") from exc
    if _database["ENGINE"] not in (
        "django.db.backends.postgresql",
        "django.db.backends.sqlite3",
    ):
        raise ImproperlyConfigured(
            "DATABASE_URL must be a postgres:// or sqlite:// URL, not "
            f"{_database_url.split(':', 1)[0]}://."
        )
else:
    _database = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "workbench.sqlite3",
    }
if _database["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets the web process read while the worker writes; IMMEDIATE makes a
    # writer wait for the lock up front instead of failing half-way.
    _database["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so a worker process started by a test sees the test data.
    _database["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
if env_str("TEST_DATABASE_NAME"):
    # Lets test runs side by side keep to databases of their own.
    _database["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME")}
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Broker and cache: Redis when REDIS_URL is set, else the database for both.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(
        f"REDIS_URL={REDIS_URL!r} must start with redis://, rediss:// or unix://."
    )
WORKERS = env_int("WORKERS", os.cpu_count() or 1, minimum=1, maximum=64)
Q_TIMEOUT = env_int("Q_TIMEOUT", 1800, minimum=10)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    # Shared between processes, so the web process sees the worker's heartbeat.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "workbench_cache",
        }
    }
Q_CLUSTER = {
    "name": env_str("Q_CLUSTER_NAME", "workbench"),
    "workers": WORKERS,
    "recycle": 200,
    # timeout below retry, or a slow task is handed to a second worker.
    "timeout": Q_TIMEOUT,
    "retry": Q_TIMEOUT + 120,
    "max_attempts": 3,
    "queue_limit": WORKERS * 4,
    "catch_up": False,
    "save_limit": 1000,
    "sync": env_bool("Q_SYNC", default=False),
    "label": "Background tasks",
    "cache": "default",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
    Q_CLUSTER["poll"] = 0.5

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env_path("STATIC_ROOT", VAR_DIR / "static")
MEDIA_ROOT = env_path("MEDIA_ROOT", VAR_DIR / "media")
# Stored files are served through permission-checked views, never a public URL.
MEDIA_URL = "/media-not-public/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Search and OCR.
SEARCH_BACKEND = env_choice("SEARCH_BACKEND", "whoosh", choices=("whoosh", "postgres"))
_on_postgres = _database["ENGINE"] == "django.db.backends.postgresql"
if SEARCH_BACKEND == "postgres" and not _on_postgres:
    raise ImproperlyConfigured(
        "SEARCH_BACKEND=postgres needs DATABASE_URL to point at PostgreSQL."
    )
SEARCH_INDEX_DIR = env_path("SEARCH_INDEX_DIR", VAR_DIR / "index")
OCR_LANGUAGES = env_str("OCR_LANGUAGES", "eng")
OCR_DPI = env_int("OCR_DPI", 300, minimum=50, maximum=1200)
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 200, minimum=1) * 1024 * 1024
ZIP_MAX_MEMBERS = env_int("ZIP_MAX_MEMBERS", 500, minimum=1)
ZIP_MAX_TOTAL_BYTES = env_int("ZIP_MAX_TOTAL_MB", 1024, minimum=1) * 1024 * 1024
ZIP_MAX_DEPTH = env_int("ZIP_MAX_DEPTH", 2, minimum=1, maximum=5)
# Pixel budget of one page render (memory stays bounded on poster-sized pages).
OCR_MAX_PIXELS = env_int("OCR_MAX_MEGAPIXELS", 40, minimum=1, maximum=400) * 1_000_000
WEAK_PAGE_CONFIDENCE = env_int("WEAK_PAGE_CONFIDENCE", 60, minimum=0, maximum=100)
# Form fields other than files (and non-multipart bodies) held in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Uploaded files go to temporary files on disk unless the whole request is this
# small (2.5 MB); the upload views skip a file once it passes UPLOAD_MAX_BYTES
# (documents.uploads), so neither memory nor disk holds more than that of it.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "config.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "FOIA Workbench API",
    "DESCRIPTION": "Public-records requests, released documents and search.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.document_error_responses",
    ],
}

# Mail: the console in development, SMTP from the environment in production.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "workbench@localhost")

# The desk's daily digests and follow-up letters (see desk/tasks.py).
# Digests go out at the first run of the hourly check at or after this local hour.
DIGEST_HOUR = env_int("DIGEST_HOUR", 7, minimum=0, maximum=23)
# Links in digests are absolute: where the newsroom reaches this installation.
DIGEST_SITE_URL = env_str("DIGEST_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Days past the due date before a follow-up letter is drafted.
FOLLOW_UP_GRACE_DAYS = env_int("FOLLOW_UP_GRACE_DAYS", 0, minimum=0, maximum=365)

# Security. Production (DEBUG off) gets HTTPS-only cookies and HSTS by default.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
_https = env_bool("HTTPS", default=not DEBUG)
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=_https)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _https else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
SECURE_HSTS_PRELOAD = _https
BEHIND_PROXY = env_bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 12, minimum=1) * 3600
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
ACCESS_LOG_RETENTION_DAYS = env_int("ACCESS_LOG_RETENTION_DAYS", 730, minimum=1)
# Days before an embargo lifts that its requester and collaborators are warned.
EMBARGO_WARNING_DAYS = env_int("EMBARGO_WARNING_DAYS", 3, minimum=1, maximum=60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django_q": {"level": env_str("Q_LOG_LEVEL", "WARNING")}},
}
