from functools import lru_cache

from django.utils.functional import SimpleLazyObject

from intake.selectors import open_items
from workflow.context_processors import capped_sql, run_capped


@lru_cache(maxsize=1)
def _mail_count_sql() -> tuple[str, tuple]:
    # the same statement for everyone: compiled once per process, not on every page
    sql, params = capped_sql([open_items()])
    return sql, tuple(params)


def mail_queue(request) -> dict:
    """«Входящая почта» counter for the navigation bar: evaluated only where a template shows it
    (for people who sort the mail), bounded by the partial index of open items."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_mail_new": SimpleLazyObject(lambda: run_capped(open_items().db, *_mail_count_sql())[0])
    }
