"""Contracts: the configuration (types, fields, stages, funds, rules), the contract with its state
machine, and what people attach to it. The approval route itself lives in the route engine."""

from contracts.models.config import (
    ApprovalRule,
    ApproverKind,
    ContractField,
    ContractType,
    Direction,
    FieldKind,
    Fund,
    Stage,
    StageKind,
    SubjectCategory,
)
from contracts.models.contract import (
    EDITABLE,
    IN_PROGRESS,
    PHASE_STATE,
    STATUS_STAGE,
    Contract,
    ContractStatus,
    Phase,
)
from contracts.models.files import ContractComment, ContractFile
from contracts.name_template import DEFAULT_NAME_TEMPLATE

__all__ = [
    "DEFAULT_NAME_TEMPLATE",
    "EDITABLE",
    "IN_PROGRESS",
    "PHASE_STATE",
    "STATUS_STAGE",
    "ApprovalRule",
    "ApproverKind",
    "Contract",
    "ContractComment",
    "ContractField",
    "ContractFile",
    "ContractStatus",
    "ContractType",
    "Direction",
    "FieldKind",
    "Fund",
    "Phase",
    "Stage",
    "StageKind",
    "SubjectCategory",
]
