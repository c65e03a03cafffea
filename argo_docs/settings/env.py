"""Small typed parsers for settings read from the environment.

Each parser takes the variable name, a default and (for tests) the mapping to read, and raises
ImproperlyConfigured with a message naming the variable when the value cannot be understood.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    value = (os.environ if environ is None else environ).get(name)
    return None if value is None else value.strip()


def env_str(name: str, default: str | None = None, *, environ: Mapping[str, str] | None = None):
    value = _raw(name, environ)
    return default if value in (None, "") else value


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, environ)
    if not value:  # unset or left empty: the default, never a silent "off"
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {value!r}")


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    value = _raw(name, environ)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {number}")
    return number


def env_list(
    name: str, default: list[str], *, environ: Mapping[str, str] | None = None
) -> list[str]:
    value = _raw(name, environ)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_path(name: str, default: Path, *, environ: Mapping[str, str] | None = None) -> Path:
    value = _raw(name, environ)
    return default if not value else Path(value).expanduser().resolve()


def env_choice(
    name: str,
    default: str,
    choices: set[str],
    *,
    upper: bool = False,
    environ: Mapping[str, str] | None = None,
) -> str:
    value = env_str(name, default, environ=environ)
    if upper:
        value = value.upper()
    if value not in choices:
        allowed = ", ".join(sorted(choices))
        raise ImproperlyConfigured(f"{name} must be one of {allowed}, got {value!r}")
    return value


def site_url(*, environ: Mapping[str, str] | None = None) -> str:
    """The base of absolute links (emails, calendar feeds): SITE_URL when set, else the address
    the run script serves on, ``http://127.0.0.1:<PORT>`` (PORT defaults to 8000)."""
    explicit = env_str("SITE_URL", environ=environ)
    if explicit:
        if not explicit.startswith(("http://", "https://")):
            raise ImproperlyConfigured(
                f"SITE_URL must start with http:// or https://, got {explicit!r}"
            )
        return explicit.rstrip("/")
    port = env_int("PORT", 8000, minimum=1, environ=environ)
    if port > 65535:
        raise ImproperlyConfigured(f"PORT must be at most 65535, got {port}")
    return f"http://127.0.0.1:{port}"
