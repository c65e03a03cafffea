"""Every write of the CRM. Each service runs in one transaction.

Modules: companies (the card, contact persons), pipeline (the client process), contact
(communications, the 90-day control), distribution (weekly calls), importing (files), calendar
(events, feed tokens).
"""

from crm.services.companies import (
    StaleEdit,
    contact_person_delete,
    contact_person_save,
    counterparty_create,
    counterparty_update,
)

__all__ = [
    "StaleEdit",
    "contact_person_delete",
    "contact_person_save",
    "counterparty_create",
    "counterparty_update",
]
