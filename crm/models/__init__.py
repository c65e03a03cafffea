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
    PIPELINE_STAGES,
    Counterparty,
    CounterpartyCategory,
    CrmSettings,
    Industry,
    ProcessingStatus,
    name_key,
)
from crm.models.distribution import CallAssignment, CallList, DistributionWeek
from crm.models.imports import CompanyImport, ImportState

__all__ = [
    "ACTIVE_STAGES",
    "ADVANCE",
    "PIPELINE_STAGES",
    "CalendarEvent",
    "CalendarFeedToken",
    "CallAssignment",
    "CallList",
    "Communication",
    "CommunicationKind",
    "CompanyImport",
    "Counterparty",
    "CounterpartyCategory",
    "CrmSettings",
    "Deal",
    "DealPipeline",
    "DealStatus",
    "DistributionWeek",
    "EventKind",
    "ImportState",
    "Industry",
    "ProcessingStatus",
    "name_key",
]
