"""The engine shared by every document type: org, tasks, timers, history, notifications."""

from workflow.models.access import AccessReason, DocumentAccess
from workflow.models.history import BOOKKEEPING_ACTIONS, HistoryAction, HistoryEntry
from workflow.models.notifications import Notification
from workflow.models.org import Absence, AbsenceKind, Department, Employee, LegalEntity
from workflow.models.routes import (
    CompletionRule,
    Decision,
    Route,
    RouteRound,
    RouteSettings,
    RouteStage,
    RouteStatus,
    RouteStep,
    StageStatus,
    StepKind,
    StepStatus,
)
from workflow.models.tasks import Task, TaskStatus
from workflow.models.timers import Timer

__all__ = [
    "AccessReason",
    "DocumentAccess",
    "BOOKKEEPING_ACTIONS",
    "Absence",
    "AbsenceKind",
    "Department",
    "Employee",
    "HistoryAction",
    "HistoryEntry",
    "LegalEntity",
    "Notification",
    "CompletionRule",
    "Decision",
    "Route",
    "RouteRound",
    "RouteSettings",
    "RouteStage",
    "RouteStatus",
    "RouteStep",
    "StageStatus",
    "StepKind",
    "StepStatus",
    "Task",
    "TaskStatus",
    "Timer",
]
