"""Production settings, as an admin deploys them: the deployment checklist passes, a missing
SECRET_KEY stops startup, and the app speaks Russian on Moscow time unless told otherwise."""

import os
import secrets
import subprocess
import sys
from urllib.parse import quote

from django.conf import settings

BASE_DIR = settings.BASE_DIR


def _database_url() -> str:
    """The DATABASE_URL of this test run, so no subprocess starts an embedded PostgreSQL."""
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    db = settings.DATABASES["default"]
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}{port}/{db['NAME']}"


def production_env(**overrides: str | None) -> dict[str, str]:
    """A production-like environment: no DJANGO_DEBUG and none of the test settings' defaults.

    An override of None removes the variable.
    """
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "PYTHONIOENCODING": "utf-8",
        "DJANGO_SETTINGS_MODULE": "argo_docs.settings.base",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "docs.example.com",
        "DATABASE_URL": _database_url(),
    }
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def print_settings(env: dict[str, str], *names: str) -> dict[str, str]:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        f"[print(n, getattr(settings, n), sep='=') for n in {list(names)!r}]"
    )
    result = run(["-c", code], env)
    assert result.returncode == 0, result.stderr
    return dict(line.split("=", 1) for line in result.stdout.splitlines())


def test_deploy_check_passes_with_production_environment():
    """GIVEN a production environment: no DJANGO_DEBUG, a long random SECRET_KEY, one host
    WHEN the admin runs `manage.py check --deploy --fail-level WARNING`
    THEN it exits 0 and reports no issues."""
    env = production_env()
    assert len(env["SECRET_KEY"]) >= 60

    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_fails_when_debug_is_left_on():
    """GIVEN the same environment but DJANGO_DEBUG=true
    WHEN the admin runs the deployment check
    THEN it fails and points at DEBUG."""
    env = production_env(DJANGO_DEBUG="true")

    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)

    assert result.returncode != 0
    assert "security.W018" in result.stderr
    assert "DEBUG" in result.stderr


def test_production_without_secret_key_fails_naming_secret_key():
    """GIVEN DJANGO_DEBUG unset and no SECRET_KEY
    WHEN the settings are loaded (any manage.py command)
    THEN startup fails with an error mentioning SECRET_KEY."""
    env = production_env(SECRET_KEY=None)

    result = run(["manage.py", "check"], env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_blank_secret_key_is_treated_as_missing():
    """GIVEN SECRET_KEY set to spaces only, DJANGO_DEBUG unset
    WHEN the settings are loaded
    THEN startup fails with an error mentioning SECRET_KEY."""
    env = production_env(SECRET_KEY="   ")

    result = run(["manage.py", "check"], env)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_development_without_secret_key_starts_with_a_development_key():
    """GIVEN DJANGO_DEBUG=true and no SECRET_KEY (a developer's machine)
    WHEN the settings are loaded
    THEN they load, with DEBUG on and a key marked insecure."""
    env = production_env(SECRET_KEY=None, DJANGO_DEBUG="true")

    values = print_settings(env, "DEBUG", "SECRET_KEY")

    assert values["DEBUG"] == "True"
    assert values["SECRET_KEY"].startswith("django-insecure-")


def test_time_zone_and_language_default_to_moscow_and_russian():
    """GIVEN a production environment with neither TIME_ZONE nor LANGUAGE_CODE set
    WHEN the settings are loaded
    THEN the app runs on Moscow time and in Russian."""
    env = production_env(TIME_ZONE=None, LANGUAGE_CODE=None)

    values = print_settings(env, "TIME_ZONE", "LANGUAGE_CODE", "USE_TZ")

    assert values == {"TIME_ZONE": "Europe/Moscow", "LANGUAGE_CODE": "ru", "USE_TZ": "True"}


def test_time_zone_and_language_can_be_overridden():
    """GIVEN TIME_ZONE=Asia/Yekaterinburg and LANGUAGE_CODE=en for a branch office
    WHEN the settings are loaded
    THEN those values are used."""
    env = production_env(TIME_ZONE="Asia/Yekaterinburg", LANGUAGE_CODE="en")

    values = print_settings(env, "TIME_ZONE", "LANGUAGE_CODE")

    assert values == {"TIME_ZONE": "Asia/Yekaterinburg", "LANGUAGE_CODE": "en"}


def test_test_settings_keep_moscow_time_and_russian():
    """GIVEN the test settings, built on the production ones
    WHEN the test process reads them
    THEN the time zone is Moscow and the language Russian, as users see in production."""
    assert settings.TIME_ZONE == "Europe/Moscow"
    assert settings.LANGUAGE_CODE == "ru"


def test_deploy_check_stays_clean_behind_a_tls_proxy():
    """GIVEN production behind a TLS proxy (ARGO_BEHIND_PROXY=true) with a site address
    WHEN the deployment check runs THEN it passes, django-axes and django-csp checks included."""
    env = production_env(ARGO_BEHIND_PROXY="true", SITE_URL="https://docs.example.com")

    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)

    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_carry_the_hardening():
    """GIVEN a production environment WHEN the settings are loaded THEN login throttling is on
    (5 failures, 15 minutes, the axes backend first and its middleware last), the CSP forbids
    inline code and framing, private pages are not cached, the request limit is derived from the
    upload limits, and links use the run script's address unless SITE_URL says otherwise."""
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.total_seconds(), "
        "s.AUTHENTICATION_BACKENDS[0], s.MIDDLEWARE[-1], s.MIDDLEWARE[0]); "
        "d = s.CONTENT_SECURITY_POLICY['DIRECTIVES']; "
        "print(d['default-src'], d['script-src'], d['style-src'], d['frame-ancestors']); "
        "print('argo_docs.middleware.NoStoreMiddleware' in s.MIDDLEWARE, "
        "'django.middleware.locale.LocaleMiddleware' in s.MIDDLEWARE, s.ARGO_REQUEST_MAX_BYTES); "
        "print(s.SITE_URL)"
    )
    result = run(["-c", code], production_env(PORT="8101", SITE_URL=None))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "5 900.0 axes.backends.AxesStandaloneBackend axes.middleware.AxesMiddleware "
        "argo_docs.middleware.RequestSizeLimitMiddleware"
    )
    assert lines[1] == "[\"'self'\"] [\"'self'\"] [\"'self'\"] [\"'none'\"]"
    assert lines[2] == f"True False {(25 * 20 + 10) * 1024 * 1024}"
    assert lines[3] == "http://127.0.0.1:8101"
