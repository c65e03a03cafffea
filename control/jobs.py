"""django-q entry points of the control app."""

from control.digest import weekly_digest_send_all
from control.rollup import BATCH, step_facts_refresh
from control.snapshots import snapshots_refresh


def weekly_digest() -> int:
    """Monday morning (schedule from migration 0002): every head's digest, once per week."""
    return weekly_digest_send_all()


def rollup_refresh() -> int:
    """Every minute (schedule from migration 0004): the decided steps the rollup lacks, then,
    once it is complete, the dashboard's snapshots. Returns the steps added."""
    added = step_facts_refresh()
    if added < BATCH:
        snapshots_refresh()
    return added
