"""URLs reversed once: an object's URL by its primary key, and a pattern without arguments.

``reverse()`` walks the URL resolver on every call (30-50 µs); a register's page asks for 50
to 100 card links, the inbox for 150, and the navigation bar on every page for 18 fixed links.
A pattern taking one integer is reversed once, with a marker for the key, and the key is put in
its place afterwards; a pattern without arguments is reversed once per script prefix."""

from __future__ import annotations

from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

_MARK = 987654321  # a key no pattern can confuse with a fixed part of the URL


@lru_cache(maxsize=512)
def _parts(name: str, prefix: str, urlconf) -> tuple[str, str]:
    head, _sep, tail = reverse(name, args=[_MARK], urlconf=urlconf).partition(str(_MARK))
    return head, tail


def pk_url(name: str, pk: int) -> str:
    """``reverse(name, args=[pk])`` for a pattern whose only argument is an integer key."""
    head, tail = _parts(name, get_script_prefix(), get_urlconf())
    return f"{head}{int(pk)}{tail}"


def pk_url_maker(name: str):
    """``pk -> URL`` for one pattern, for a loop over many rows."""
    head, tail = _parts(name, get_script_prefix(), get_urlconf())
    return lambda pk: f"{head}{int(pk)}{tail}"


@lru_cache(maxsize=1024)
def _fixed(name: str, current_app: str | None, prefix: str, urlconf, language) -> str:
    return reverse(name, current_app=current_app, urlconf=urlconf)


def fixed_url(name: str, current_app: str | None = None) -> str:
    """``reverse(name, current_app=...)`` for a pattern without arguments. The active language
    is part of the key for URL patterns that carry it (none here today)."""
    return _fixed(name, current_app, get_script_prefix(), get_urlconf(), get_language())


@receiver(setting_changed)
def _forget(*, setting, **kwargs) -> None:
    # tests that swap the URL configuration must not get the previous one's URLs
    if setting == "ROOT_URLCONF":
        _parts.cache_clear()
        _fixed.cache_clear()
