"""`crmhub assign …` and `crmhub owners …`: who owns each customer, and why."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
import typer
from pydantic import ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from core.assignment import (
    AssignmentConfig,
    AssignmentPolicy,
    DisputeResolutionError,
    OwnerDirectory,
    resolve_dispute,
    run_assignment,
)
from core.assignment.batch import load_loads
from core.assignment.explain import Explanation, explain_customer, find_customers
from core.assignment.simulate import Simulation, simulate
from core.assignment.state import NO_TIER
from core.config.errors import issues_from_validation
from core.config.yaml_lines import YamlSyntaxError, load_yaml
from core.store import Entity, Store
from core.store.migrate import current_revision, head_revision
from core.sync.runs import finish_run, start_run
from workers.cli.context import ExitCode, err, out, state

app = typer.Typer(
    help="Who owns each customer: run the rules, explain a decision, simulate new rules.",
    no_args_is_help=True,
)
owners_app = typer.Typer(
    help="The owner directory: account managers (客户经理).", no_args_is_help=True
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
TIERS = ("A", "B", "C", NO_TIER)


def _policy(ctx: typer.Context) -> AssignmentPolicy:
    config = state(ctx).config()
    section = config.sections.get("assignment")
    if not isinstance(section, AssignmentConfig):
        err.print(
            "no assignment rules configured: add `assignment: assignment.yaml` to crmhub.yaml"
        )
        raise typer.Exit(ExitCode.CONFIG)
    return AssignmentPolicy.from_config(section)


def _store(ctx: typer.Context) -> Store:
    store = state(ctx).store()
    try:
        revision = current_revision(store.engine)
    except sa.exc.SQLAlchemyError as exc:
        err.print(f"[red]database {store.url} is not reachable:[/red] {str(exc).splitlines()[0]}")
        raise typer.Exit(ExitCode.UNAVAILABLE) from None
    if revision != head_revision(store.engine):
        err.print(f"database {store.url} is not at the current schema: run `crmhub db upgrade`")
        raise typer.Exit(ExitCode.FAILED)
    return store


def _emit(data: Any) -> None:
    out.print_json(json.dumps(data, ensure_ascii=False, default=str))


@app.command()
def run(
    ctx: typer.Context,
    batch_size: Annotated[
        int, typer.Option(min=1, max=20000, help="Customers per transaction.")
    ] = 1000,
    as_json: JsonOption = False,
) -> None:
    """Assign unowned (and reassignable) customers now, by the configured rules."""
    policy = _policy(ctx)
    store = _store(ctx)
    with store.transaction() as session:
        total = session.scalar(
            sa.select(sa.func.count())
            .select_from(Entity)
            .where(Entity.kind == "customer", Entity.status == "active")
        )
    with Progress(
        TextColumn("assigning"), BarColumn(), MofNCompleteColumn(), console=err, transient=True
    ) as bar:
        task = bar.add_task("assign", total=total or 0)
        run_id = start_run(store, "assign")
        try:
            summary = run_assignment(
                store,
                policy,
                batch_size=batch_size,
                progress=lambda n: bar.advance(task, n),
                run_id=run_id,
            )
        except Exception as exc:
            finish_run(store, run_id, {}, f"{type(exc).__name__}: {exc}")
            raise
        finish_run(store, run_id, summary.to_data())
    if as_json:
        _emit(summary.to_data())
        return
    table = Table("decision", "customers", title=f"{summary.customers} customers looked at")
    for kind, count in sorted(summary.kinds.items()):
        table.add_row(kind, str(count))
    out.print(table)
    if summary.rules:
        by_rule = Table("rule", "decisions", title="recorded decisions by rule")
        for rule, count in summary.rules.most_common():
            by_rule.add_row(rule, str(count))
        out.print(by_rule)
    followed = summary.followers
    out.print(
        f"tier changes: {summary.tier_changes}; contacts and opportunities followed: {followed}"
    )


def _checks(entry: dict[str, Any]) -> str:
    made = []
    for check in entry["checks"]:
        note = f", {check['note']}" if check.get("note") else ""
        verdict = "yes" if check["ok"] else "no"
        expected = check["expected"]
        if isinstance(expected, list):
            expected = "[" + ", ".join(map(str, expected)) + "]"
        made.append(f"{check['field']} {check['op']} {expected}: {verdict}{note}")
    return "; ".join(made) or "always"


def _print_details(details: dict[str, Any], indent: str = "    ") -> None:
    facts = details.get("facts") or {}
    shown = ", ".join(f"{k}={v}" for k, v in facts.items() if v not in (None, []))
    if shown:
        out.print(f"{indent}values: {shown}", highlight=False)
    if "tier" in details:
        out.print(f"{indent}tier: {details['tier']['why']}", highlight=False)
    for entry in details.get("rules", []):
        verdict = "matched" if entry["matched"] else "no"
        outcome = entry.get("outcome", {}).get("why")
        tail = f" → {outcome}" if outcome else ""
        out.print(
            f"{indent}rule {entry['rule']}: {verdict} ({_checks(entry)}){tail}", highlight=False
        )
        for skipped in entry.get("outcome", {}).get("skipped", []):
            out.print(f"{indent}  skipped {skipped['owner']}: {skipped['why']}", highlight=False)


def _print_explanation(explanation: Explanation) -> None:
    out.print(f"[bold]{explanation.name}[/bold] ({explanation.entity_id})")
    out.print(f"tier {explanation.tier or '-'}; owner: {explanation.owner}", highlight=False)
    if explanation.claims:
        out.print("\n[bold]what each CRM says[/bold]")
        for claim in explanation.claims:
            said = claim["owner"] or f"unknown user {claim['remote_user_id']}"
            out.print(f"  {claim['connection']} {claim['remote_id']}: {said}", highlight=False)
    out.print("\n[bold]decisions, newest first[/bold]")
    if not explanation.decisions:
        out.print("  none recorded yet")
    for item in explanation.decisions:
        out.print(
            f"  {item['at'][:19]} {item['kind']} by {item['rule_id']} ({item['strategy']}): "
            f"{item['previous']} → {item['owner']}",
            highlight=False,
        )
        out.print(f"    why: {item['reason']}", highlight=False)
        _print_details(item["details"] or {})
    if explanation.now is not None:
        out.print(
            f"\n[bold]the rules now[/bold]: {explanation.now.kind.value}: {explanation.now.reason}",
            highlight=False,
        )
        _print_details(explanation.now.details, "  ")
    if explanation.if_unowned is not None:
        out.print(
            f"\n[bold]as an unowned customer[/bold]: {explanation.if_unowned.reason}",
            highlight=False,
        )
        _print_details(explanation.if_unowned.details, "  ")


@app.command()
def explain(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Entity id or name (or part of it).")],
    as_json: JsonOption = False,
) -> None:
    """Why CUSTOMER has its owner: decisions with rule, values and outcome; what rules say now."""
    policy = _policy(ctx)
    store = _store(ctx)
    with store.sessions() as session:
        found = find_customers(session, customer)
        if not found:
            err.print(f"no customer matches {customer!r}")
            raise typer.Exit(ExitCode.FAILED)
        if len(found) > 1:
            err.print(f"{len(found)} customers match {customer!r}; give one of these entity ids:")
            for entity in found:
                err.print(f"  {entity.id}  {entity.data.get('name')}")
            raise typer.Exit(ExitCode.FAILED)
        explanation = explain_customer(session, found[0], policy)
        session.rollback()
    if as_json:
        _emit(explanation.to_data())
    else:
        _print_explanation(explanation)


def _load_rules(path: Path) -> AssignmentConfig:
    try:
        source = load_yaml(path)
    except (OSError, YamlSyntaxError) as exc:
        err.print(f"[red]error[/red] {path}: {exc}")
        raise typer.Exit(ExitCode.CONFIG) from None
    try:
        return AssignmentConfig.model_validate(source.data or {})
    except ValidationError as exc:
        for issue in issues_from_validation(exc, source, AssignmentConfig):
            err.print(f"[red]error[/red] {issue}", highlight=False)
        raise typer.Exit(ExitCode.CONFIG) from None


def _loads_table(result: Simulation) -> Table:
    rows = result.to_data()["loads"]
    tiers = [t for t in TIERS if any(r["before"].get(t) or r["after"].get(t) for r in rows)]
    table = Table("owner", *[f"{t} before → after" for t in tiers], title="load by tier")
    for row in rows:
        cells = []
        for tier in tiers:
            before, after = row["before"].get(tier, 0), row["after"].get(tier, 0)
            cells.append(f"{before} → {after}" if before != after else str(before))
        table.add_row(row["owner"], *cells)
    return table


@app.command("simulate")
def simulate_cmd(
    ctx: typer.Context,
    rules: Annotated[Path, typer.Option("--rules", help="The assignment rules to try (YAML).")],
    from_scratch: Annotated[bool, typer.Option(help="Ignore every current owner.")] = False,
    limit: Annotated[int, typer.Option(help="Changes to list (all with --json).")] = 50,
    as_json: JsonOption = False,
) -> None:
    """Without writing: which customers NEW rules would move, and each owner's load by tier.

    Exits 1 when owners would change (so a script can gate on it), 0 when nothing would.
    """
    policy = AssignmentPolicy.from_config(_load_rules(rules))
    store = _store(ctx)
    with store.sessions() as session:
        result = simulate(session, policy, from_scratch=from_scratch)
        session.rollback()
    if as_json:
        _emit(result.to_data())
    else:
        data = result.to_data()
        changes = Table(
            "customer",
            "tier",
            "from",
            "to",
            "rule",
            "why",
            title=f"{len(result.changes)} of {result.customers} customers would change",
        )
        for change in data["changes"][:limit]:
            changes.add_row(
                change["name"],
                change["tier"] or "-",
                change["from"],
                change["to"],
                change["rule_id"],
                change["short"],
            )
        out.print(changes)
        if len(result.changes) > limit:
            out.print(f"… and {len(result.changes) - limit} more (--limit, or --json for all)")
        out.print(_loads_table(result))
    if result.changes:
        raise typer.Exit(ExitCode.FAILED)


def _owner_arg(directory: OwnerDirectory, owner: str) -> uuid.UUID | None:
    if owner == "pool":
        return None
    found = directory.by_email(owner)
    if found is None:
        try:
            found = directory.get(uuid.UUID(owner))
        except ValueError:
            found = None
    if found is None:
        err.print(f"no owner {owner!r} in the directory (an e-mail, an owner id, or `pool`)")
        raise typer.Exit(ExitCode.CONFIG)
    return found.id


@app.command()
def resolve(
    ctx: typer.Context,
    review: Annotated[int, typer.Argument(help="The dispute review id.")],
    owner: Annotated[str, typer.Option(help="E-mail or id of the owner to keep, or `pool`.")],
    by: Annotated[str, typer.Option("--by", help="Who decides (recorded in the audit log).")],
    reason: Annotated[str | None, typer.Option(help="Why (recorded in the audit log).")] = None,
) -> None:
    """Settle an ownership dispute: OWNER owns the customer in every CRM from now on."""
    store = _store(ctx)
    with store.transaction() as session:
        owner_id = _owner_arg(OwnerDirectory.load(session), owner)
        try:
            decision = resolve_dispute(session, review, owner_id, actor=by, reason=reason)
        except DisputeResolutionError as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(ExitCode.FAILED) from None
    out.print(decision.reason)


@owners_app.command("list")
def list_owners(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Owners with their user id in each CRM, expertise, capacity, teams and load by tier."""
    policy = _policy(ctx) if state(ctx).config().sections.get("assignment") else None
    store = _store(ctx)
    with store.sessions() as session:
        directory = OwnerDirectory.load(session)
        loads = load_loads(session)
    teams: dict[str, list[str]] = {}
    for name, members in (policy.teams if policy else {}).items():
        for member in members:
            teams.setdefault(member.email, []).append(name)
    rows: list[dict[str, Any]] = []
    for owner in sorted(directory.owners.values(), key=lambda o: (o.email or "", o.name)):
        rows.append(
            {
                "id": str(owner.id),
                "name": owner.name,
                "email": owner.email,
                "active": owner.active,
                "accounts": dict(owner.accounts),
                "regions": list(owner.regions),
                "industries": list(owner.industries),
                "capacity": dict(owner.capacity),
                "teams": teams.get(owner.email or "", []),
                "load": {t: loads.of(owner.id, t) for t in TIERS if loads.of(owner.id, t)},
            }
        )
    if as_json:
        _emit(rows)
        return
    table = Table(
        "owner",
        "active",
        "CRM users",
        "regions",
        "industries",
        "teams",
        "load / capacity",
        title=f"{len(rows)} owners",
    )
    for row in rows:
        load = ", ".join(
            f"{t} {row['load'].get(t, 0)}/{row['capacity'].get(t, '∞')}"
            for t in ("A", "B", "C")
            if row["load"].get(t) or t in row["capacity"]
        )
        table.add_row(
            f"{row['name']} <{row['email']}>" if row["email"] else row["name"],
            "yes" if row["active"] else "[red]no[/red]",
            "\n".join(f"{c}: {r}" for c, r in row["accounts"].items()),
            ", ".join(row["regions"]),
            ", ".join(row["industries"]),
            ", ".join(row["teams"]),
            load,
        )
    out.print(table)
