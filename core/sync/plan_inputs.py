"""What the planner reads about a chunk of entities, in a few IN queries per chunk: the
entities, their links and base snapshots, open conflicts, writes in flight, creates done
before, open match reviews; and the references planning them resolves (`Refs`)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from connectors.protocol import WriteOp
from core.reviews import ReviewKind
from core.store import BaseSnapshot, Conflict, Entity, Link, OutboxItem, ReviewItem
from core.sync.hub import Refs

__all__ = ["PlanInputs"]


class PlanInputs:
    """Everything the planner reads about a batch of entities, in a few queries."""

    def __init__(self, session: Session, ids: Sequence[uuid.UUID]) -> None:
        self.entities = {
            e.id: e for e in session.scalars(sa.select(Entity).where(Entity.id.in_(ids)))
        }
        self.links: dict[uuid.UUID, list[Link]] = defaultdict(list)
        for link in session.scalars(
            sa.select(Link).where(Link.entity_id.in_(ids)).order_by(Link.id)
        ):
            self.links[link.entity_id].append(link)
        link_ids = [link.id for links in self.links.values() for link in links]
        self.bases = {
            b.link_id: b
            for b in session.scalars(
                sa.select(BaseSnapshot).where(BaseSnapshot.link_id.in_(link_ids))
            )
        }
        self.conflicts: dict[uuid.UUID, set[str]] = defaultdict(set)
        for entity_id, path in session.execute(
            sa.select(Conflict.entity_id, Conflict.field).where(
                Conflict.entity_id.in_(ids), Conflict.status == "open"
            )
        ):
            self.conflicts[entity_id].add(path)
        # writes sent and not yet answered: as good as done for the plan
        self.in_flight: dict[tuple[uuid.UUID, str, str | None], list[OutboxItem]] = defaultdict(
            list
        )
        for item in session.scalars(
            sa.select(OutboxItem)
            .where(OutboxItem.entity_id.in_(ids), OutboxItem.status == "published")
            .order_by(OutboxItem.id)
        ):
            self.in_flight[(item.entity_id, item.connection, item.remote_id)].append(item)
        # creates done before: an entity created again where its record was removed (an
        # operator restored it) is a new write, not the old one under the same key
        self.created: dict[tuple[uuid.UUID, str], int] = {
            (entity_id, connection): count
            for entity_id, connection, count in session.execute(
                sa.select(OutboxItem.entity_id, OutboxItem.connection, sa.func.count())
                .where(
                    OutboxItem.entity_id.in_(ids),
                    OutboxItem.operation == WriteOp.CREATE.value,
                    OutboxItem.status == "done",
                )
                .group_by(OutboxItem.entity_id, OutboxItem.connection)
            )
        }
        customers = {
            uuid.UUID(str(e.data["customer"]["entity_id"]))
            for e in self.entities.values()
            if isinstance(e.data.get("customer"), Mapping) and e.data["customer"].get("entity_id")
        }
        self.under_review = set(
            session.scalars(
                sa.select(ReviewItem.entity_id).where(
                    ReviewItem.kind == ReviewKind.MATCH.value,
                    ReviewItem.status == "open",
                    ReviewItem.entity_id.in_(set(ids) | customers),
                )
            )
        )

    def preload_refs(self, refs: Refs, connections: Sequence[str]) -> None:
        """The references planning these entities resolves, in a few queries (not per entity)."""
        bases = [
            (link.connection, self.bases[link.id].values)
            for links in self.links.values()
            for link in links
            if link.id in self.bases
        ]
        refs.preload_planning((e.data for e in self.entities.values()), bases, connections)
