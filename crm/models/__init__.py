"""CRM models: companies (counterparties), communications and deals, calendar, distribution,
imports."""

from crm.models.calendar import CalendarEvent, CalendarFeedToken, EventKind
from crm.models.communications import (
    Communication,
    CommunicationKind,
    Deal,
    DealPipeline,
    DealStatus,
)
from crm.models.companies import (
    ACTIVE_STAGES,
    ADVANCE,
    CLIENT_CATEGORIES,
    PIPELINE_STAGES,
    RUSSIAN_COLLATION,
    Counterparty,
    CounterpartyCategory,
    CrmSettings,
    Industry,
    ProcessingStatus,
    name_key,
)
from crm.models.contacts import ContactPerson
from crm.models.distribution import CallAssignment, CallList, DistributionWeek
from crm.models.imports import CompanyImport, ImportMode, ImportState

__all__ = [
    "ACTIVE_STAGES",
    "ADVANCE",
    "CLIENT_CATEGORIES",
    "PIPELINE_STAGES",
    "RUSSIAN_COLLATION",
    "CalendarEvent",
    "CalendarFeedToken",
    "CallAssignment",
    "CallList",
    "Communication",
    "CommunicationKind",
    "CompanyImport",
    "ContactPerson",
    "Counterparty",
    "CounterpartyCategory",
    "CrmSettings",
    "Deal",
    "DealPipeline",
    "DealStatus",
    "DistributionWeek",
    "EventKind",
    "ImportMode",
    "ImportState",
    "Industry",
    "ProcessingStatus",
    "name_key",
]
