"""Settings for the test suite: the same as production, with a synchronous queue and fast hashes."""

import os

os.environ.setdefault("SECRET_KEY", "argo-docs-test-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("ARGO_HTTPS", "false")

from argo_docs.settings.base import *  # noqa: E402,F403
from argo_docs.settings.base import Q_CLUSTER, STORAGES  # noqa: E402

ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# django-q2 reads "sync" once at import: jobs run inline in tests.
Q_CLUSTER = {**Q_CLUSTER, "sync": True}
LANGUAGE_CODE = "ru"
# Static files straight from the finders: no collectstatic before a test run.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# A document type that exists only for the route engine's own tests.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.engine_app"]  # noqa: F405
