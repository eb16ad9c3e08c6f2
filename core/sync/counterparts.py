"""The other half of a held create: X's create into CRM B is held because B probably holds X
as Y; then Y is probably X too, and Y's create into a CRM holding X waits for the same
operator decision.

The create guard need not find a pair both ways: it judges at most `CANDIDATES` entities per
create, those sharing most keys first, and ties fall as the rows come. In the 10k run
峰智建设工程(上海)有限公司 and "Shanghai Fengzhi Construction" shared only the brand key
"fengzhi", which 7 customers in Zoho and 8 in Fxiaoke carry: from the Chinese side the
English one was among the 5 judged (held out of Zoho), from the English side the Chinese one
was not, and both creates were checked in one pass, before the review naming both existed,
so the English one was created in Fxiaoke. Read once a pass, over what it held.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from connectors.protocol import WriteOp
from core.store import Link
from core.store.base import chunked
from core.sync.create_guard import HeldCreate
from core.sync.links import LinkStatus
from core.sync.plan import Plan
from core.sync.waits import Wait, WaitReason

__all__ = ["hold_counterparts"]


def hold_counterparts(session: Session, plan: Plan) -> int:
    """Move the creates of held creates' candidates into the CRMs holding the held entity out
    of `plan` (held, waiting, under the same review); returns how many."""
    by_candidate: dict[uuid.UUID, list[HeldCreate]] = {}
    for held in plan.held:
        by_candidate.setdefault(held.candidate_id, []).append(held)
    creates = [
        w for w in plan.writes if w.operation is WriteOp.CREATE and w.entity_id in by_candidate
    ]
    if not creates:
        return 0
    held_ids = sorted({h.entity_id for w in creates for h in by_candidate[w.entity_id]}, key=str)
    holding: dict[tuple[uuid.UUID, str], str] = {}
    for part in chunked(held_ids):  # one entity's links are all in one part
        holding.update(
            ((entity_id, connection), remote_id)
            for entity_id, connection, remote_id in session.execute(
                sa.select(Link.entity_id, Link.connection, Link.remote_id)
                .where(
                    Link.entity_id.in_(part),
                    Link.status == LinkStatus.ACTIVE.value,
                )
                .order_by(Link.id.desc())  # the oldest link of an entity in a CRM last: it wins
            )
        )
    moved: set[int] = set()  # ids of the writes taken out (a first sync plans 400,000)
    for write in creates:
        for held in by_candidate[write.entity_id]:
            remote_id = holding.get((held.entity_id, write.connection))
            if remote_id is None:  # that CRM does not hold X: Y's create there is no duplicate
                continue
            moved.add(id(write))
            plan.held.append(
                HeldCreate(write.connection, write.kind, write.entity_id, held.entity_id,
                           remote_id, held.score, held.evidence)
            )  # fmt: skip
            plan.wait(write.entity_id, Wait(write.connection, WaitReason.HELD, held.entity_id))
            break
    if moved:
        plan.writes[:] = [w for w in plan.writes if id(w) not in moved]
    return len(moved)
