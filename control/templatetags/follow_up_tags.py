"""``{% follow_up_link document %}``: the «Напомнить мне…» button of a document's card."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from workflow.routes import registry

register = template.Library()


@register.simple_tag
def follow_up_link(document) -> str:
    meta = document._meta
    doc_type = registry.document_type_for_model(f"{meta.app_label}.{meta.model_name}")
    if doc_type is None or document.pk is None:
        return ""
    return format_html(
        '<a class="btn btn-outline-secondary btn-sm" href="{}" data-testid="follow-up-link">{}</a>',
        reverse("control:follow-up-document", args=[doc_type.code, document.pk]),
        _("Напомнить мне…"),
    )
