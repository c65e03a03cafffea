"""An object's URL by its primary key, with the pattern reversed once.

``reverse()`` walks the URL resolver on every call (about 30 µs); a register's page asks for 50
to 100 card links, the inbox for 150. A pattern taking one integer is reversed once, with a
marker for the key, and the key is put in its place afterwards."""

from __future__ import annotations

from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse

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


@receiver(setting_changed)
def _forget(*, setting, **kwargs) -> None:
    # tests that swap the URL configuration must not get the previous one's URLs
    if setting == "ROOT_URLCONF":
        _parts.cache_clear()
