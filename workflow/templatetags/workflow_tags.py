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
