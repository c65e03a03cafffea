"""Every write on incoming letters: registration (which starts the route), the route's own steps
(resolution, naming the executor, execution), comments, closing by reply. The route itself runs on
the shared engine; ``route`` holds the builder and the letter's hooks."""

from correspondence.services.incoming.decisions import (
    NO_REPLY,
    REPLY_NEEDED,
    assign_complete,
    execute_complete,
    execute_next_url,
    execute_success_message,
    outgoing_reply_draft_create,
    resolution_complete,
)
from correspondence.services.incoming.registration import (
    incoming_close_by_reply,
    incoming_comment_add,
    incoming_register,
)
from correspondence.services.incoming.route import (
    DOC_TYPE,
    KIND_ASSIGN,
    KIND_EXECUTE,
    KIND_RESOLUTION,
    KIND_REVIEW,
)

__all__ = [
    "DOC_TYPE",
    "KIND_ASSIGN",
    "KIND_EXECUTE",
    "KIND_RESOLUTION",
    "KIND_REVIEW",
    "NO_REPLY",
    "REPLY_NEEDED",
    "assign_complete",
    "execute_complete",
    "execute_next_url",
    "execute_success_message",
    "incoming_close_by_reply",
    "incoming_comment_add",
    "incoming_register",
    "outgoing_reply_draft_create",
    "resolution_complete",
]
