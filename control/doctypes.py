"""Document types as the control pages name them: the route engine's registered types, reached by
content type (tasks) or by code (routes); tasks about no document are «Поручения»."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _

from workflow.routes import registry

NO_DOCUMENT = 0  # the content-type key of tasks without a document (instructions)


def label_for_code(code: str) -> str:
    try:
        return str(registry.document_type(code).label)
    except LookupError:
        return code


def code_for_content_type(content_type_id: int | None) -> str:
    if not content_type_id:
        return ""
    model = ContentType.objects.get_for_id(content_type_id)
    doc_type = registry.document_type_for_model(f"{model.app_label}.{model.model}")
    return doc_type.code if doc_type else ""


def label_for_content_type(content_type_id: int | None) -> str:
    if not content_type_id:
        return _("Поручения")
    code = code_for_content_type(content_type_id)
    if code:
        return label_for_code(code)
    return str(ContentType.objects.get_for_id(content_type_id).model_class()._meta.verbose_name)


def content_type_of_code(code: str) -> int | None:
    try:
        model = registry.document_type(code).model
    except LookupError:
        return None
    app_label, name = model.split(".")
    return ContentType.objects.get_by_natural_key(app_label, name.lower()).pk
