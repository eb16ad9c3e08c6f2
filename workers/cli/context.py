"""What every command shares: the config it was given, the store, the consoles, exit codes."""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path

import typer
from rich.console import Console

from core.config import ConfigError, LoadedConfig, load_config
from core.config.matching import MatchingConfig
from core.store import Store

__all__ = ["CliState", "ExitCode", "err", "operator_name", "out", "state"]

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class ExitCode(IntEnum):
    """Exit codes scripts can trust."""

    OK = 0
    FAILED = 1  # the command ran and found a problem (or, for `plan`, changes to apply)
    CONFIG = 2  # bad config or usage: nothing was done
    UNAVAILABLE = 3  # a database, broker or CRM could not be reached


@dataclass
class CliState:
    config_path: Path | None = None
    _config: LoadedConfig | None = field(default=None, repr=False)
    _store: Store | None = field(default=None, repr=False)

    def config(self) -> LoadedConfig:
        if self._config is None:
            try:
                self._config = load_config(self.config_path)
            except ConfigError as exc:
                for issue in exc.issues:
                    err.print(f"[red]error[/red] {issue}", markup=True, highlight=False)
                raise typer.Exit(ExitCode.CONFIG) from None
        return self._config

    def matching(self) -> MatchingConfig:
        """The config's matching section, or the shipped defaults when it has none."""
        section = self.config().sections.get("matching")
        return section if isinstance(section, MatchingConfig) else MatchingConfig()

    def store(self) -> Store:
        """The store of this invocation (opened once, closed when the command ends)."""
        if self._store is None:
            self._store = Store.open(self.config().hub.database.url)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def state(ctx: typer.Context) -> CliState:
    obj = ctx.find_root().obj
    if not isinstance(obj, CliState):
        obj = CliState()
        ctx.find_root().obj = obj
    return obj


def operator_name() -> str:
    """Who runs the command (for the audit log), when not given with --actor."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "operator"
