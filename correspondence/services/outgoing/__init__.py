"""Every write on outgoing letters, in four parts: drafts, the approval chain, sending and the
counterparty's number, reaction control and closing.

Every service locks the letter row first (select_for_update), then the task: two people acting at
the same moment are serialised, and the second one finds the state moved on and gets a message.
"""

from correspondence.services.outgoing.approval import (
    DOC_TYPE,
    outgoing_resubmit,
    outgoing_submit,
    outgoing_withdraw,
    prepare_complete,
)
from correspondence.services.outgoing.base import (
    KIND_NUMBER,
    KIND_PREPARE,
    KIND_REACTION,
    KIND_SEND,
    MOVED_ON,
    NOT_YET,
    OUTGOING_KINDS,
    RECEIVED,
    TIMER_REACTION,
)
from correspondence.services.outgoing.drafts import (
    EDITABLE_FIELDS,
    outgoing_create,
    outgoing_update,
)
from correspondence.services.outgoing.reaction import (
    outgoing_answer_received,
    reaction_complete,
    reaction_timer_fire,
)
from correspondence.services.outgoing.sending import (
    counterparty_number_complete,
    email_delivery_reported,
    may_retry_email,
    outgoing_email_retry,
    send_complete,
)

__all__ = [
    "EDITABLE_FIELDS",
    "KIND_NUMBER",
    "KIND_PREPARE",
    "KIND_REACTION",
    "KIND_SEND",
    "MOVED_ON",
    "NOT_YET",
    "OUTGOING_KINDS",
    "RECEIVED",
    "TIMER_REACTION",
    "DOC_TYPE",
    "counterparty_number_complete",
    "email_delivery_reported",
    "may_retry_email",
    "outgoing_answer_received",
    "outgoing_create",
    "outgoing_email_retry",
    "outgoing_submit",
    "outgoing_update",
    "outgoing_withdraw",
    "reaction_complete",
    "reaction_timer_fire",
    "outgoing_resubmit",
    "prepare_complete",
    "send_complete",
]
