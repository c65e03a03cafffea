"""The engine shared by every document type: org, tasks, timers, history, notifications."""

from workflow.models.history import HistoryAction, HistoryEntry
from workflow.models.notifications import Notification
from workflow.models.org import Absence, AbsenceKind, Department, Employee, LegalEntity, Role
from workflow.models.tasks import Task, TaskStatus
from workflow.models.timers import Timer

__all__ = [
    "Absence",
    "AbsenceKind",
    "Department",
    "Employee",
    "HistoryAction",
    "HistoryEntry",
    "LegalEntity",
    "Notification",
    "Role",
    "Task",
    "TaskStatus",
    "Timer",
]
