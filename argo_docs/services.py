"""Writes of the project-level app: the user's own interface language."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from argo_docs.models import UserPreference


def user_language_set(*, user, language: str) -> UserPreference:
    """Remember the interface language ``user`` chose. A preference, not a document: it has no
    history row."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Такой язык интерфейса не поддерживается."))
    with transaction.atomic():
        preference, _created = UserPreference.objects.select_for_update().get_or_create(
            user=user, defaults={"language": language}
        )
        if preference.language != language:
            preference.language = language
            preference.save(update_fields=["language"])
    return preference
