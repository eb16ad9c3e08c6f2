"""Deletions a CRM reports (its deleted-records endpoint, Fxiaoke's 作废), by per-kind policy.

The deleted record's link becomes a tombstone whatever the policy (the record is gone there:
the planner must neither write to it nor create it again). Then, per kind:
`propagate` marks the entity deleted and the planner deletes it in the other CRMs; `unlink`
forgets that CRM's record and the entity lives on while other links exist; `ask` opens a
delete review. A mass-delete guard (count or share per pull, per connection and kind) stops
`propagate` and `ask` and opens ONE review for the lot. Deletions may be reported again:
applying them is idempotent. A record missing from a partial pull is never a deletion.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from connectors.protocol import Connector, RemoteDeletion
from core.audit import ActorKind, record_audit
from core.config.policies import DeletePolicy, PoliciesConfig
from core.reviews import ReviewKind, ReviewStatus, close_review, open_review
from core.store import Entity, Link, ReviewItem, SourceRecord, Store
from core.store.base import chunked
from core.sync.cursors import DELETIONS, load_cursor, save_cursor
from core.sync.links import LinkStatus, find_link, retire_link
from core.sync.snapshots import mark_dirty
from mapping.model import EntityKind

__all__ = [
    "DELETIONS",
    "DeleteAction",
    "DeleteCounts",
    "apply_deletions",
    "delete_entity",
    "ingest_deletions",
    "resolve_delete_review",
]


class DeleteAction(StrEnum):
    """An operator's decision on a delete review."""

    PROPAGATE = "propagate"  # delete the entity in every CRM
    UNLINK = "unlink"  # forget the deleted records; the entity lives on in the others
    RESTORE = "restore"  # create the records again in the CRM they were deleted from


@dataclass
class DeleteCounts:
    seen: int = 0  # deletions reported (repeats included)
    retired: int = 0  # links made tombstones now
    propagated: int = 0
    unlinked: int = 0
    asked: int = 0
    guarded: int = 0  # held back by the mass-delete guard (one review)

    def to_data(self) -> dict[str, int]:
        return {f"deletes_{k}": v for k, v in asdict(self).items() if v}


def delete_entity(
    session: Session, entity: Entity, *, actor: str, reason: str, actor_kind: ActorKind
) -> bool:
    """Mark `entity` deleted (the planner deletes it where it is still linked)."""
    if entity.status != "active":
        return False
    entity.status = "deleted"
    entity.version += 1
    record_audit(
        session,
        actor_kind=actor_kind,
        actor=actor,
        action="entity.deleted",
        entity_id=entity.id,
        entity_kind=entity.kind,
        before={"status": "active"},
        after={"status": "deleted"},
        reason=reason,
    )
    return True


def _live_links(session: Session, entity_id: Any) -> int:
    return (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(Link)
            .where(Link.entity_id == entity_id, Link.status == LinkStatus.ACTIVE.value)
        )
        or 0
    )


def _unlink(session: Session, entity: Entity, actor: str, reason: str, kind: ActorKind) -> None:
    if _live_links(session, entity.id) == 0:  # nothing holds it any more
        delete_entity(session, entity, actor=actor, reason=reason, actor_kind=kind)


def _record(link: Link, deletion: RemoteDeletion | None) -> dict[str, Any]:
    return {
        "remote_id": link.remote_id,
        "entity_id": str(link.entity_id),
        "how": deletion.how if deletion else None,
        "deleted_at": deletion.deleted_at.isoformat() if deletion and deletion.deleted_at else None,
    }


def apply_deletions(
    session: Session,
    policies: PoliciesConfig,
    connection: str,
    kind: EntityKind,
    deletions: list[RemoteDeletion],
    *,
    run_id: int | None = None,
) -> DeleteCounts:
    """Carry out the kind's delete policy for `deletions` (see the module docstring)."""
    counts = DeleteCounts(seen=len(deletions))
    by_id = {d.remote_id: d for d in deletions}
    links: list[Link] = []
    for part in chunked(list(by_id)):  # a first pull reads a CRM's whole deletion history
        links += session.scalars(
            sa.select(Link).where(
                Link.connection == connection,
                Link.kind == kind.value,
                Link.remote_id.in_(part),
                Link.status == LinkStatus.ACTIVE.value,
            )
        )
    links.sort(key=lambda link: link.id)
    if not links:
        return counts
    linked = (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(Link)
            .where(Link.connection == connection, Link.kind == kind.value)
        )
        or 0
    )
    policy = policies.delete_policy(kind)
    for link in links:
        how = by_id[link.remote_id].how
        retire_link(session, link, actor=connection, reason=f"deleted in {connection} ({how})",
                    run_id=run_id)  # fmt: skip
        counts.retired += 1
    records = [_record(link, by_id[link.remote_id]) for link in links]
    if policy is not DeletePolicy.UNLINK and policies.mass_delete.trips(len(links), linked):
        open_review(
            session,
            ReviewKind.DELETE,
            f"mass delete held back: {len(links)} {kind.value} records deleted in {connection} "
            f"at once (of {linked}); policy {policy.value} waits for an operator",
            {"guard": True, "connection": connection, "kind": kind.value,
             "policy": policy.value, "linked": linked, "records": records},
        )  # fmt: skip
        counts.guarded = len(links)
        return counts
    for link, record in zip(links, records, strict=True):
        entity = session.get(Entity, link.entity_id)
        if entity is None:
            continue
        reason = f"{kind.value} {link.remote_id} deleted in {connection}: policy {policy.value}"
        if policy is DeletePolicy.PROPAGATE:
            delete_entity(session, entity, actor=connection, reason=reason,
                          actor_kind=ActorKind.SYNC)  # fmt: skip
            counts.propagated += 1
        elif policy is DeletePolicy.UNLINK:
            _unlink(session, entity, connection, reason, ActorKind.SYNC)
            counts.unlinked += 1
        else:
            name = entity.data.get("name") or entity.data.get("full_name") or entity.id
            open_review(
                session,
                ReviewKind.DELETE,
                f"{kind.value} {name} was deleted in {connection}: delete it everywhere?",
                {"guard": False, "connection": connection, "kind": kind.value,
                 "policy": policy.value, "records": [record]},
                entity_id=entity.id,
                entity_kind=kind.value,
            )  # fmt: skip
            counts.asked += 1
    return counts


def _mark_deleted(
    session: Session, connection: str, kind: EntityKind, deletions: list[RemoteDeletion]
) -> None:
    for part in chunked(sorted({d.remote_id for d in deletions})):
        session.execute(
            sa.update(SourceRecord)
            .where(
                SourceRecord.connection == connection,
                SourceRecord.kind == kind.value,
                SourceRecord.remote_id.in_(part),
            )
            .values(status="deleted")
        )


def ingest_deletions(
    store: Store,
    connection: str,
    connector: Connector,
    kind: EntityKind,
    *,
    policies: PoliciesConfig | None,
    run_id: int | None = None,
) -> DeleteCounts:
    """Read every deletion since the stored time, then mark source records, apply the policy
    (when `policies` is given) and move the deletion cursor in one transaction."""
    with store.transaction() as session:
        stored = load_cursor(session, connection, kind, DELETIONS) or {}
    since = stored.get("deleted_since")
    latest = datetime.fromisoformat(since) if since else None
    deletions: list[RemoteDeletion] = []
    for batch in connector.pull_deletions(kind, latest):
        deletions.extend(batch)
    stamps = [d.deleted_at for d in deletions if d.deleted_at is not None]
    if stamps and (latest is None or max(stamps) > latest):
        latest = max(stamps)
    counts = DeleteCounts(seen=len(deletions))
    if not deletions:
        return counts
    with store.transaction() as session:
        _mark_deleted(session, connection, kind, deletions)
        if policies is not None:
            counts = apply_deletions(session, policies, connection, kind, deletions, run_id=run_id)
        if latest is not None:
            value = {"deleted_since": latest.isoformat()}
            save_cursor(session, connection, kind, DELETIONS, value)
    return counts


def resolve_delete_review(
    session: Session,
    review_id: int,
    action: DeleteAction,
    *,
    actor: str,
    reason: str | None = None,
) -> ReviewItem:
    """Carry out an operator's decision on a delete review (one record or a guarded lot)."""
    item = session.get(ReviewItem, review_id, with_for_update=True)
    if item is None or item.kind != ReviewKind.DELETE.value:
        raise ValueError(f"review {review_id} is not a delete review")
    if item.status != ReviewStatus.OPEN.value:
        raise ValueError(f"review {review_id} is already {item.status}")
    payload: dict[str, Any] = item.payload
    why = f"delete review {review_id}: {action.value}" + (f": {reason}" if reason else "")
    for record in payload.get("records", []):
        link = find_link(session, payload["connection"], payload["kind"], record["remote_id"])
        if link is None:
            continue
        entity = session.get(Entity, link.entity_id)
        if entity is None:
            continue
        if action is DeleteAction.PROPAGATE:
            delete_entity(session, entity, actor=actor, reason=why, actor_kind=ActorKind.OPERATOR)
        elif action is DeleteAction.UNLINK:
            _unlink(session, entity, actor, why, ActorKind.OPERATOR)
        else:
            record_audit(
                session, actor_kind=ActorKind.OPERATOR, actor=actor, action="link.removed",
                entity_id=entity.id, entity_kind=entity.kind, source=link.connection,
                before={"connection": link.connection, "remote_id": link.remote_id},
                reason=why,
            )  # fmt: skip
            session.delete(link)
            session.flush()
            mark_dirty(session, [entity.id])  # the planner creates it there again
    close_review(
        session,
        item,
        status=ReviewStatus.RESOLVED,
        actor=actor,
        resolution={"action": action.value},
        reason=reason,
    )
    session.flush()
    return item
