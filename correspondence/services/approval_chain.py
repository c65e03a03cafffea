"""Who approves an outgoing letter: computed from the org structure and the admin settings."""

from __future__ import annotations

from django.db.models import Q

from correspondence.models import ChainMode, ExtraApprover, OutgoingApprovalSettings
from workflow.selectors import has_role, heads_above, users_with_role


def settings_for(legal_entity) -> OutgoingApprovalSettings:
    """The entity's settings; unsaved defaults (up to the general director) when none exist."""
    found = OutgoingApprovalSettings.objects.filter(legal_entity=legal_entity).first()
    return found or OutgoingApprovalSettings(legal_entity=legal_entity)


def _heads(letter, config: OutgoingApprovalSettings) -> list:
    if config.mode == ChainMode.EXECUTOR:
        return [letter.executor]
    heads = heads_above(letter.author)
    if config.mode == ChainMode.DEPTH:
        return heads[: max(config.depth, 1)]
    chain = []
    for head in heads:
        chain.append(head)
        if has_role(head, config.top_role):
            break
    return chain


def _extra(letter) -> list:
    rules = (
        ExtraApprover.objects.filter(is_active=True)
        .filter(Q(legal_entity=letter.legal_entity_id) | Q(legal_entity__isnull=True))
        .filter(Q(category=letter.counterparty.category) | Q(category=""))
        .select_related("approver")
    )
    people = []
    for rule in rules:
        if rule.approver_id:
            if rule.approver.is_active:
                people.append(rule.approver)
        elif rule.role:
            person = users_with_role(rule.role).first()
            if person is not None:
                people.append(person)
    return people


def chain_for(letter) -> list:
    """Approvers in order: the author's heads up to the configured level (or the executor alone),
    then the extra approvers by rule; nobody twice. Never empty: without heads, the executor."""
    config = settings_for(letter.legal_entity)
    chain = []
    extra = [p for p in _extra(letter) if p.pk != letter.author_id]  # nobody approves their own
    for person in _heads(letter, config) + extra:
        if person.pk not in {p.pk for p in chain}:
            chain.append(person)
    return chain or [letter.executor]
