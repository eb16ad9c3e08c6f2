"""Assignment: give every customer the right account manager (客户经理), fairly and explainably.

What the sync engine calls:
- `prepare_assigner(session, policy)` once per cycle, then
  `assign_customers(session, assigner, entity_ids)` for the customers a cycle touched;
- `inherit_owner(session, entity)` for a contact or opportunity (`data["customer"]`);
- `OwnerDirectory.load(session)` then `.resolve(connection, owner_ref)` (CRM user -> owner) and
  `.remote_ref(owner_id, connection)` (owner -> the user id to write); one-off lookups:
  `resolve_owner_ref`, `owner_ref_for`;
- `sync_crm_users(session, connection, users, settings=policy.owners)` after `list_owners()`;
- `detect_dispute(session, entity_id, directory)` for one customer (the engine checks every
  customer it assigns); `resolve_dispute(session, review_id, owner_id, actor=…)` when an
  operator chooses.
"""

from __future__ import annotations

# core.config's registry of section schemas imports this package's schema: loading core.config
# first lets that import find every module it needs fully initialised.
import core.config  # noqa: F401
from core.assignment.config import AssignmentConfig, OwnerSettings
from core.assignment.criteria import Always, And, Compare, Criteria, Not, Op, Or
from core.assignment.criteria_parse import CriteriaError, parse_criteria
from core.assignment.currency import Amount, Rates
from core.assignment.decision import CustomerCase, Decision
from core.assignment.directory import OwnerDirectory, OwnerInfo
from core.assignment.disputes import Dispute, SourceOwner, find_dispute
from core.assignment.engine import Assigner
from core.assignment.inherit import follow_customers, inherit_owner
from core.assignment.names import DecisionKind, DisputePolicy, StrategyName, TierBasis
from core.assignment.owners import (
    DirectoryChanges,
    apply_owner_settings,
    owner_ref_for,
    resolve_owner_ref,
    sync_crm_users,
)
from core.assignment.resolve import DisputeResolutionError, detect_dispute, resolve_dispute
from core.assignment.rules import AssignmentPolicy, Rule, StrategySpec
from core.assignment.runner import RunSummary, assign_customers, prepare_assigner, run_assignment
from core.assignment.state import AssignmentState, Loads

__all__ = [
    "Always",
    "Amount",
    "And",
    "Assigner",
    "AssignmentConfig",
    "AssignmentPolicy",
    "AssignmentState",
    "Compare",
    "Criteria",
    "CriteriaError",
    "CustomerCase",
    "Decision",
    "DecisionKind",
    "DirectoryChanges",
    "Dispute",
    "DisputePolicy",
    "DisputeResolutionError",
    "Loads",
    "Not",
    "Op",
    "Or",
    "OwnerDirectory",
    "OwnerInfo",
    "OwnerSettings",
    "Rates",
    "Rule",
    "RunSummary",
    "SourceOwner",
    "StrategyName",
    "StrategySpec",
    "TierBasis",
    "apply_owner_settings",
    "assign_customers",
    "detect_dispute",
    "find_dispute",
    "follow_customers",
    "inherit_owner",
    "owner_ref_for",
    "parse_criteria",
    "prepare_assigner",
    "resolve_dispute",
    "resolve_owner_ref",
    "run_assignment",
    "sync_crm_users",
]
