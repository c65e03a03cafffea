"""Who approves an outgoing letter: computed from the org structure and the admin settings. The
inputs are the letter's parts, so the admin's route preview asks the same question without a
letter."""

from __future__ import annotations

from django.db.models import Q

from correspondence.models import ChainMode, ExtraApprover, OutgoingApprovalSettings
from workflow.selectors import has_role, heads_above, users_with_role


def settings_for(legal_entity) -> OutgoingApprovalSettings:
    """The entity's settings; unsaved defaults (up to the general director) when none exist."""
    found = OutgoingApprovalSettings.objects.filter(legal_entity=legal_entity).first()
    return found or OutgoingApprovalSettings(legal_entity=legal_entity)


def _heads(author, executor, config: OutgoingApprovalSettings, department=None) -> list:
    """The author's heads (or, without an author, those of someone in ``department``: its head
    first, then the heads above them)."""
    if config.mode == ChainMode.EXECUTOR:
        return [executor] if executor is not None else []
    if author is not None:
        heads = heads_above(author)
    elif department is not None and department.head_id:
        heads = [department.head] + [
            h for h in heads_above(department.head) if h.pk != department.head_id
        ]
    else:
        heads = []
    if config.mode == ChainMode.DEPTH:
        return heads[: max(config.depth, 1)]
    chain = []
    for head in heads:
        chain.append(head)
        if has_role(head, config.top_role):
            break
    return chain


def _extra(legal_entity, category: str) -> list:
    rules = (
        ExtraApprover.objects.filter(is_active=True)
        .filter(Q(legal_entity=legal_entity) | Q(legal_entity__isnull=True))
        .filter(Q(category=category) | Q(category=""))
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


def chain_of(*, legal_entity, category: str, author=None, executor=None, department=None) -> list:
    """Approvers in order: the author's heads up to the configured level (or the executor alone),
    then the extra approvers by rule; nobody twice, and nobody approves their own letter. Never
    empty while there is an executor: without heads, the executor."""
    config = settings_for(legal_entity)
    chain = []
    author_id = author.pk if author is not None else None
    extra = [p for p in _extra(legal_entity, category) if p.pk != author_id]
    for person in _heads(author, executor, config, department) + extra:
        if person.pk not in {p.pk for p in chain}:
            chain.append(person)
    return chain or ([executor] if executor is not None else [])


def chain_for(letter) -> list:
    return chain_of(
        legal_entity=letter.legal_entity,
        category=letter.counterparty.category,
        author=letter.author,
        executor=letter.executor,
    )
