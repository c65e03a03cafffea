"""Which language a request is served in: the user's own choice, else Russian. The browser's
Accept-Language is never consulted: Russian staff on an English Windows get the Russian product."""

from __future__ import annotations

from django.conf import settings

SESSION_KEY = "argo_language"


def _supported(code: str | None) -> str | None:
    return code if code in dict(settings.LANGUAGES) else None


def remember(request, language: str, *, user=None) -> None:
    """Cache the choice in the session, tagged with the user, so later requests need no query."""
    request.session[SESSION_KEY] = [(user or request.user).pk, language]


def stored_language(user) -> str:
    from argo_docs.models import UserPreference

    stored = (
        UserPreference.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
    )
    return _supported(stored) or settings.LANGUAGE_CODE


def language_for(request) -> str:
    default = settings.LANGUAGE_CODE
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return default
    cached = request.session.get(SESSION_KEY)
    if isinstance(cached, list) and len(cached) == 2 and cached[0] == user.pk:
        return _supported(cached[1]) or default
    language = stored_language(user)  # a session from before this cache existed
    remember(request, language)
    return language
