from django.utils.functional import SimpleLazyObject

from intake.selectors import COUNTER_CAP, open_items_count


def mail_queue(request) -> dict:
    """«Входящая почта» counter for the navigation bar: evaluated only where a template shows it
    (for people who sort the mail), bounded by the partial index of open items."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def label() -> str:
        count = open_items_count()
        return "" if not count else (f"{COUNTER_CAP}+" if count > COUNTER_CAP else str(count))

    return {"nav_mail_new": SimpleLazyObject(label)}
