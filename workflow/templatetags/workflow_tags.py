import rules
from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from workflow.routes import registry as routes

register = template.Library()


@register.inclusion_tag("workflow/_timeline.html")
def timeline(history):
    """The history of a document as a timeline: pass ``selectors.history_for_card(document)``
    (with the «Все события» switch) or any list of entries."""
    if hasattr(history, "everything"):
        return {
            "entries": history.entries,
            "switch": True,
            "everything": history.everything,
            "hidden": history.hidden,
        }
    return {"entries": history, "switch": False}


@register.filter
def can(user, perm: str) -> bool:
    """``user|can:"app.perm"``: the permission's rule, as the views check it. ``perms.app.x`` and
    ``{% has_perm %}`` also ask the model backend, two queries per page for nothing: every
    permission of the product is a rule."""
    return rules.has_perm(perm, user)


@register.filter
def display_name(user) -> str:
    if user is None or user == "":
        return "—"
    if not hasattr(user, "get_full_name"):  # already a name (e.g. «Система»)
        return str(user)
    return user.get_full_name() or user.get_username()


PREVIEW_IMAGES = frozenset({"image/jpeg", "image/png"})


@register.inclusion_tag("workflow/_task_document.html")
def task_document(task, subject):
    """On a task page: a link to edit the document (revision tasks and the like) and the
    document's files, PDFs and images previewed inline, so nobody has to open the card."""
    from workflow import registry

    kind = registry.task_kind_for(task)
    edit_url = kind.edit_url(task) if (kind.edit_url and task.is_open) else ""
    files = [
        {
            "file": stored,
            "pdf": stored.content_type == "application/pdf",
            "image": stored.content_type in PREVIEW_IMAGES,
        }
        for stored in registry.subject_files(subject)
    ]
    return {"edit_url": edit_url, "files": files}


@register.simple_tag
def follow_up_link(document) -> str:
    """The «Напомнить мне…» button of a document's card, for any document type of the route
    engine (the reminder page checks the type's own visibility rule)."""
    meta = document._meta
    doc_type = routes.document_type_for_model(f"{meta.app_label}.{meta.model_name}")
    if doc_type is None or document.pk is None:
        return ""
    return format_html(
        '<a class="btn btn-outline-secondary btn-sm" href="{}" data-testid="follow-up-link">{}</a>',
        reverse("control:follow-up-document", args=[doc_type.code, document.pk]),
        _("Напомнить мне…"),
    )
