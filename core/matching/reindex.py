"""Rebuild every entity's blocking keys from its golden record and kept source records.

Keys are written when a golden record changes, so after an upgrade that adds a key type or a
change of `blocking:` in matching.yaml, entities nothing touched since still carry the old
keys: new records are not compared with them and the create guard does not see them. One pass
here brings them up to date; it changes no golden value and no link.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from core.config.matching import MatchingConfig
from core.matching.match import entity_keys
from core.merging.keys import keys_of, replace_keys
from core.merging.sources import stored_sources
from core.store import Entity, Store

__all__ = ["MATCHED_KINDS", "ReindexCounts", "reindex_entities"]

MATCHED_KINDS = ("customer", "contact")


@dataclass
class ReindexCounts:
    entities: int = 0
    changed: int = 0  # entities whose keys were not what the config makes of them now


def reindex_entities(
    store: Store,
    config: MatchingConfig,
    *,
    kinds: Sequence[str] = MATCHED_KINDS,
    chunk: int = 500,
    progress: Callable[[int], None] = lambda n: None,
) -> ReindexCounts:
    """Make every active entity's keys those of its golden record and sources; a transaction
    per chunk, so a large store is done in steps and an interrupted pass can simply rerun."""
    counts = ReindexCounts()
    for kind in kinds:
        after: uuid.UUID | None = None
        while True:
            with store.transaction() as session:
                query = sa.select(Entity.id, Entity.data).where(
                    Entity.kind == kind, Entity.status == "active"
                )
                if after is not None:
                    query = query.where(Entity.id > after)
                rows = session.execute(query.order_by(Entity.id).limit(chunk)).all()
                for entity_id, data in rows:
                    sources = [s.data for s in stored_sources(session, entity_id)]
                    wanted = entity_keys(kind, data, config, sources)
                    if wanted != set(keys_of(session, entity_id)):
                        replace_keys(session, entity_id, kind, wanted)
                        counts.changed += 1
            if not rows:
                break
            counts.entities += len(rows)
            after = rows[-1][0]
            progress(len(rows))
    return counts
