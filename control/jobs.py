"""django-q entry points of the control app."""

from control.digest import weekly_digest_send_all


def weekly_digest() -> int:
    """Monday morning (schedule from migration 0002): every head's digest, once per week."""
    return weekly_digest_send_all()
