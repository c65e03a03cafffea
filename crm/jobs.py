"""django-q2 entry points of the CRM: idempotent, safe to run twice."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def weekly_distribution() -> int | None:
    from crm.services.distribution import distribution_run

    week = distribution_run()
    return week.pk if week else None


def contact_control_sweep() -> int:
    from crm.services.contact import contact_control_schedule_missing

    scheduled = contact_control_schedule_missing()
    if scheduled:
        logger.info("contact control: %s check timer(s) scheduled", scheduled)
    return scheduled


def company_import_run(import_id: int) -> None:
    from crm.services.importing import import_run

    import_run(import_id=import_id)


def company_import_check(import_id: int) -> None:
    from crm.services.importing import import_check

    import_check(import_id=import_id)
