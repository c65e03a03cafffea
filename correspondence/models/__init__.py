from correspondence.models.approval import (
    ChainMode,
    ExtraApprover,
    OutgoingApprovalSettings,
)
from correspondence.models.files import LetterFile
from correspondence.models.incoming import OPEN_STATUSES, IncomingLetter, IncomingStatus
from correspondence.models.journals import Direction, JournalCounter, RegistrationJournal
from correspondence.models.outgoing import (
    EDITABLE_STATUSES,
    OPEN_OUTGOING_STATUSES,
    DeliveryMethod,
    OutgoingLetter,
    OutgoingStatus,
)
from correspondence.models.routes import (
    DEFAULT_PLAN,
    ReviewWithExecution,
    RouteRule,
    RouteStep,
    StepMode,
    StepRole,
)
from correspondence.models.threads import Project, Thread

__all__ = [
    "EDITABLE_STATUSES",
    "OPEN_OUTGOING_STATUSES",
    "ChainMode",
    "DeliveryMethod",
    "ExtraApprover",
    "OutgoingApprovalSettings",
    "DEFAULT_PLAN",
    "OPEN_STATUSES",
    "Direction",
    "IncomingLetter",
    "IncomingStatus",
    "JournalCounter",
    "LetterFile",
    "OutgoingLetter",
    "OutgoingStatus",
    "Project",
    "RegistrationJournal",
    "ReviewWithExecution",
    "RouteRule",
    "RouteStep",
    "StepMode",
    "StepRole",
    "Thread",
]
