"""Every write of the route engine. Each runs in one transaction and locks the document row first,
then the route row: two people deciding at once, or a decision racing a withdrawal, are
serialised, and the second finds the state moved on."""

from workflow.routes.services.changes import (
    route_cancel,
    route_stage_insert,
    route_step_add,
    route_withdraw,
)
from workflow.routes.services.common import (
    MOVED_ON,
    REVISE_TASK_KIND,
    STEP_TASK_KINDS,
    allowed_decisions,
    route_of,
    settings_for,
)
from workflow.routes.services.decide import step_decide
from workflow.routes.services.running import stage_is_complete
from workflow.routes.services.start import route_start

__all__ = [
    "MOVED_ON",
    "REVISE_TASK_KIND",
    "STEP_TASK_KINDS",
    "allowed_decisions",
    "route_cancel",
    "route_of",
    "route_stage_insert",
    "route_start",
    "route_step_add",
    "route_withdraw",
    "settings_for",
    "stage_is_complete",
    "step_decide",
]
