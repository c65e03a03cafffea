from django import template

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
