"""The sync's invariants, checked against the store and (through their connectors) the CRMs.

After a sync has settled (nothing left to write, nothing left to plan) these must hold:

- **agreement**: every CRM holds the golden record's value of every field it holds and writes,
  for every linked entity (owners included). Excused and counted apart: fields with an open
  conflict, entities parked in a grey-zone review, writes dead-lettered for an operator,
  references to records the CRM does not have yet, kinds the connection does not update.
- **duplicate**: no entity has two live records in one CRM; with ground truth (a generated
  world's truth ids), no CRM holds two records of the same real-world thing.
- **lost_write**: every outbox item is done, superseded, or dead with a dead letter an
  operator sees (its review open, or decided); nothing pending or published is left.
- **unaudited**: every golden value is accounted for by the audit log: each entity has its
  creation audited; the last audited value of a field is its current value; and, given a
  baseline taken earlier, every field that changed since has an audit row since.

`check_invariants` reads and never writes (its session is rolled back). Pulling the CRMs costs
API calls: a full pass over each connection.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from connectors.protocol import Connector
from core.store import AuditEntry, DeadLetter, Entity, Link, OutboxItem, ReviewItem, Store
from core.sync.fields import SYSTEM_FIELDS
from core.sync.values import GROUPS, flatten, get_path, same, top_of

__all__ = [
    "GoldenBaseline",
    "Invariant",
    "InvariantReport",
    "Violation",
    "check_invariants",
    "golden_baseline",
]

GOLDEN_ACTIONS = ("golden.set", "field.set")
LIVE = ("pending", "published")
FINAL = ("done", "superseded", "dead")


class Invariant(StrEnum):
    AGREEMENT = "agreement"
    DUPLICATE = "duplicate"
    LOST_WRITE = "lost_write"
    UNAUDITED = "unaudited"


@dataclass(frozen=True)
class Violation:
    invariant: Invariant
    detail: str
    entity_id: str | None = None
    connection: str | None = None

    def to_data(self) -> dict[str, Any]:
        return {
            "invariant": self.invariant.value,
            "entity_id": self.entity_id,
            "connection": self.connection,
            "detail": self.detail,
        }


@dataclass
class InvariantReport:
    violations: list[Violation] = field(default_factory=list)
    # what was compared (entities, links, remote records, fields…)
    checked: Counter[str] = field(default_factory=Counter)
    # differences that are allowed, by why (open conflicts, parked, dead-lettered…)
    excused: Counter[str] = field(default_factory=Counter)
    # facts worth a look that break no invariant (unseen remote records, quarantined…)
    notes: Counter[str] = field(default_factory=Counter)
    dead_letters: Counter[str] = field(default_factory=Counter)  # "connection kind op: error"

    @property
    def ok(self) -> bool:
        return not self.violations

    def add(self, invariant: Invariant, detail: str, entity: Any = None, conn: Any = None) -> None:
        self.violations.append(
            Violation(
                invariant,
                detail,
                str(entity) if entity is not None else None,
                str(conn) if conn is not None else None,
            )
        )

    def counts(self) -> dict[str, int]:
        found = Counter(v.invariant.value for v in self.violations)
        return {i.value: found.get(i.value, 0) for i in Invariant}

    def to_data(self, examples: int = 20) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "violations": self.counts(),
            "examples": [v.to_data() for v in self.violations[:examples]],
            "checked": dict(sorted(self.checked.items())),
            "excused": dict(sorted(self.excused.items())),
            "notes": dict(sorted(self.notes.items())),
            "dead_letters": dict(self.dead_letters.most_common(examples)),
        }


@dataclass(frozen=True)
class GoldenBaseline:
    """Golden records (flattened fields and owner) and the last audit row id at one moment."""

    audit_id: int
    fields: Mapping[uuid.UUID, Mapping[str, Any]]
    owners: Mapping[uuid.UUID, uuid.UUID | None]


@contextmanager
def read_only(store: Store) -> Iterator[Session]:
    session = store.sessions()
    try:
        with session.begin():
            yield session
            session.rollback()
    finally:
        session.close()


def _golden_paths(data: Mapping[str, Any]) -> dict[str, Any]:
    return {p: v for p, v in flatten(data).items() if top_of(p) not in SYSTEM_FIELDS}


def golden_baseline(store: Store) -> GoldenBaseline:
    """The golden records now, to check later that every change since was audited."""
    with read_only(store) as session:
        audit_id = session.scalar(sa.select(sa.func.max(AuditEntry.id))) or 0
        fields: dict[uuid.UUID, Mapping[str, Any]] = {}
        owners: dict[uuid.UUID, uuid.UUID | None] = {}
        for entity_id, data, owner_id in session.execute(
            sa.select(Entity.id, Entity.data, Entity.owner_id).where(Entity.status == "active")
        ):
            fields[entity_id] = _golden_paths(data)
            owners[entity_id] = owner_id
    return GoldenBaseline(int(audit_id), fields, owners)


def check_invariants(
    store: Store,
    ctx: Any,
    connectors: Mapping[str, Connector] | None = None,
    *,
    truth: Mapping[tuple[str, str], str] | None = None,
    baseline: GoldenBaseline | None = None,
) -> InvariantReport:
    """Check every invariant (see the module docstring). `ctx` is the `SyncContext`; without
    `connectors` the CRMs are not read (agreement and truth duplicates are not checked);
    `truth` maps (connection, remote id) to a ground-truth id."""
    from core.sync.agreement import check_remote  # the remote half pulls through connectors

    report = InvariantReport()
    with read_only(store) as session:
        _check_outbox(session, report)
        _check_links(session, report, truth or {})
        _check_audit(session, report, baseline)
        if connectors:
            check_remote(session, ctx, connectors, report, truth or {})
    return report


def _check_outbox(session: Session, report: InvariantReport) -> None:
    for item in session.scalars(sa.select(OutboxItem).where(OutboxItem.status.in_(LIVE))):
        report.add(
            Invariant.LOST_WRITE,
            f"outbox item {item.id} ({item.operation} {item.kind}) is still {item.status} "
            f"after {item.attempts} attempt(s); last error: {item.last_error}",
            item.entity_id,
            item.connection,
        )
    counts = session.execute(sa.select(OutboxItem.status, sa.func.count()).group_by("status"))
    for status, count in counts:
        report.checked[f"outbox_{status}"] += int(count)
    letters = {letter.outbox_id: letter for letter in session.scalars(sa.select(DeadLetter))}
    open_reviews = {
        int(item.payload.get("dead_letter_id", -1))
        for item in session.scalars(
            sa.select(ReviewItem).where(
                ReviewItem.kind == "dead_letter", ReviewItem.status == "open"
            )
        )
        if isinstance(item.payload, Mapping)
    }
    for item in session.scalars(sa.select(OutboxItem).where(OutboxItem.status == "dead")):
        letter = letters.get(item.id)
        if letter is None:
            report.add(Invariant.LOST_WRITE, f"outbox item {item.id} is dead without a dead "
                       "letter", item.entity_id, item.connection)  # fmt: skip
            continue
        if letter.status == "open" and letter.id not in open_reviews:
            report.add(Invariant.LOST_WRITE, f"dead letter {letter.id} has no open review",
                       item.entity_id, item.connection)  # fmt: skip
        if letter.status == "open":
            why = f"{letter.error_code}: {(letter.error_message or '')[:80]}"
            report.dead_letters[f"{item.connection} {item.kind} {item.operation}: {why}"] += 1


def _check_links(
    session: Session, report: InvariantReport, truth: Mapping[tuple[str, str], str]
) -> None:
    """Two live links of one entity in one connection: the CRM holds it twice (or, when the
    ground truth says the records are different things, matching joined two into one: the
    sync then writes one golden record over both)."""
    rows = session.execute(
        sa.select(Link.connection, Link.kind, Link.entity_id, Link.remote_id)
        .join(Entity, Entity.id == Link.entity_id)
        .where(Link.status == "active", Entity.status == "active")
        .order_by(Link.id)
    ).all()
    groups: dict[tuple[str, str, uuid.UUID], list[str]] = {}
    for connection, kind, entity_id, remote_id in rows:
        groups.setdefault((connection, kind, entity_id), []).append(remote_id)
    report.checked["links"] += len(rows)
    for (connection, kind, entity_id), remote_ids in groups.items():
        if len(remote_ids) <= 1:
            continue
        truths = {truth[(connection, r)] for r in remote_ids if (connection, r) in truth}
        why = (
            f" (distinct truths {', '.join(sorted(truths))}: a false merge)"
            if len(truths) > 1
            else ""
        )
        report.add(
            Invariant.DUPLICATE,
            f"{kind} has {len(remote_ids)} records in {connection}: {', '.join(remote_ids)}{why}",
            entity_id,
            connection,
        )


def _audited_value(entry: AuditEntry, path: str) -> Any:
    """What an audit row says `path` became (a row may name the whole group: `address`)."""
    if entry.field == path:
        return entry.after
    after = entry.after
    return get_path({top_of(path): after}, path) if isinstance(after, Mapping) else None


def _paths_of(field: str, after: Any) -> list[str]:
    """The field paths an audit row speaks of (a group's row: each of its parts)."""
    if field in GROUPS and isinstance(after, Mapping):
        return [f"{field}.{part}" for part in after]
    return [field]


def _check_audit(
    session: Session, report: InvariantReport, baseline: GoldenBaseline | None
) -> None:
    audited: set[uuid.UUID] = set(
        session.scalars(sa.select(AuditEntry.entity_id).where(AuditEntry.entity_id.isnot(None)))
    )
    latest: dict[tuple[uuid.UUID, str], AuditEntry] = {}
    # the audited fields of each entity (read per entity below: a scan of `latest` per
    # entity made the check quadratic, hours at 10k customers)
    fields_of: dict[uuid.UUID, set[str]] = defaultdict(set)
    since: dict[tuple[uuid.UUID, str], AuditEntry] = {}
    owner_rows: dict[uuid.UUID, AuditEntry] = {}
    start = baseline.audit_id if baseline is not None else 0
    for entry in session.scalars(
        sa.select(AuditEntry)
        .where(sa.or_(AuditEntry.action.in_(GOLDEN_ACTIONS), AuditEntry.field == "owner"))
        .order_by(AuditEntry.id)
    ):
        if entry.entity_id is None or entry.field is None:
            continue
        if entry.field == "owner":
            if entry.id > start and entry.action not in GOLDEN_ACTIONS:
                owner_rows[entry.entity_id] = entry
            continue
        latest[(entry.entity_id, entry.field)] = entry
        fields_of[entry.entity_id].add(entry.field)
        if entry.id > start:
            since[(entry.entity_id, entry.field)] = entry
    entities = session.execute(
        sa.select(Entity.id, Entity.data, Entity.owner_id).where(Entity.status == "active")
    ).all()
    for entity_id, data, owner_id in entities:
        report.checked["entities"] += 1
        if entity_id not in audited:
            report.add(Invariant.UNAUDITED, "the entity has no audit row at all", entity_id)
            continue
        now = _golden_paths(data)
        paths = set(now)
        for f in fields_of.get(entity_id, ()):
            paths.update(_paths_of(f, latest[(entity_id, f)].after))
        for path in sorted(paths):
            rows = [latest.get((entity_id, path)), latest.get((entity_id, top_of(path)))]
            found = max((r for r in rows if r is not None), key=lambda r: r.id, default=None)
            if found is not None and not same(_audited_value(found, path), now.get(path)):
                report.add(
                    Invariant.UNAUDITED,
                    f"{path} is {now.get(path)!r} but its last audit row ({found.id}) says "
                    f"{_audited_value(found, path)!r}",
                    entity_id,
                )
        if baseline is not None and entity_id in baseline.fields:
            _since_baseline(report, baseline, entity_id, now, owner_id, since, owner_rows)


def _since_baseline(
    report: InvariantReport,
    baseline: GoldenBaseline,
    entity_id: uuid.UUID,
    now: Mapping[str, Any],
    owner_id: uuid.UUID | None,
    since: Mapping[tuple[uuid.UUID, str], AuditEntry],
    owner_rows: Mapping[uuid.UUID, AuditEntry],
) -> None:
    before = baseline.fields[entity_id]
    for path in sorted(set(before) | set(now)):
        if same(before.get(path), now.get(path)):
            continue
        report.checked["fields_changed"] += 1
        if (entity_id, path) not in since and (entity_id, top_of(path)) not in since:
            report.add(
                Invariant.UNAUDITED,
                f"{path} changed from {before.get(path)!r} to {now.get(path)!r} without an "
                "audit row",
                entity_id,
            )
    if baseline.owners.get(entity_id) != owner_id:
        row = owner_rows.get(entity_id)
        after = row.after if row is not None and isinstance(row.after, Mapping) else {}
        if str(after.get("owner_id")) != str(owner_id):
            report.add(Invariant.UNAUDITED, f"owner changed to {owner_id} without an audit row",
                       entity_id)  # fmt: skip
