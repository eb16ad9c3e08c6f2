"""Opening a configured connection for a command, with errors that say what to fix."""

from __future__ import annotations

import typer
from pydantic import ValidationError

from connectors.connect import open_connector
from connectors.protocol import Connector
from core.config import ConnectionConfig, MissingSecretError
from core.config.errors import did_you_mean
from mapping.maps import MapDefinitionError, Mapper, MappingContext, load_map
from workers.cli.context import ExitCode, err, state

__all__ = ["configured_connection", "connection_mapper", "open_connection"]


def configured_connection(ctx: typer.Context, name: str) -> ConnectionConfig:
    connections = state(ctx).config().hub.connections
    if name not in connections:
        guess = did_you_mean(name, connections)
        hint = f"; did you mean {guess!r}?" if guess else ""
        known = ", ".join(sorted(connections)) or "none configured"
        err.print(f"[red]error[/red] unknown connection {name!r} (known: {known}){hint}")
        raise typer.Exit(ExitCode.CONFIG)
    return connections[name]


def open_connection(name: str, config: ConnectionConfig) -> Connector:
    try:
        return open_connector(name, config)
    except MissingSecretError as exc:
        unset = [key for key, secret in config.credentials.items() if not secret.is_set()]
        where = f"connections.{name}.credentials.{unset[0]}" if unset else f"connection {name}"
        err.print(f"[red]error[/red] {where}: {exc} (fix: export it before running)")
    except ValidationError as exc:
        for problem in exc.errors():
            where = ".".join(str(p) for p in problem["loc"]) or "(options)"
            err.print(f"[red]error[/red] connection {name}: {where}: {problem['msg']}")
    raise typer.Exit(ExitCode.CONFIG)


def connection_mapper(ctx: typer.Context, name: str, config: ConnectionConfig) -> Mapper | None:
    """The connection's field map bound to it, or None when it names no map."""
    if config.mapping is None:
        return None
    path = state(ctx).config().resolve(config.mapping)
    try:
        connector_map = load_map(path)
    except MapDefinitionError as exc:
        err.print(f"[red]error[/red] connection {name}: field map {path}:\n{exc}")
        raise typer.Exit(ExitCode.CONFIG) from None
    return Mapper(connector_map, MappingContext(name, config.default_region, config.timezone))
