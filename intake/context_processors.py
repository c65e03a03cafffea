from django.utils.functional import SimpleLazyObject

from intake.selectors import open_items_label


def mail_queue(request) -> dict:
    """«Входящая почта» counter for the navigation bar: evaluated only where a template shows it
    (for people who sort the mail), bounded by the partial index of open items."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_mail_new": SimpleLazyObject(open_items_label)}
