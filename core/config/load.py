"""Find, load and check the config: every error with file, line and the fix."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from core.config.errors import ConfigError, ConfigIssue, did_you_mean, issues_from_validation
from core.config.schema import ConnectionConfig, HubConfig
from core.config.sections import SECTIONS
from core.config.yaml_lines import LoadedYaml, YamlSyntaxError, load_yaml
from mapping.maps import (
    ConnectorMap,
    MapDefinitionError,
    MapFile,
    Mapper,
    MappingContext,
    compile_map,
)

__all__ = ["LoadedConfig", "check_config", "find_config", "load_config"]

DEFAULT_PATH = Path("config/crmhub.yaml")


@dataclass
class LoadedConfig:
    hub: HubConfig
    file: Path | None
    sections: dict[str, BaseModel] = field(default_factory=dict)
    # connection name -> its checked field map (connections with a `mapping:` file)
    mappings: dict[str, ConnectorMap] = field(default_factory=dict)

    def mapper(self, connection: str) -> Mapper:
        """The field map of `connection`, bound to its region, time zone and currency."""
        conn = self.hub.connections[connection]
        connector_map = self.mappings.get(connection)
        if connector_map is None:
            raise KeyError(f"connection {connection!r} has no `mapping:` file")
        return Mapper(connector_map, _context(connection, conn, connector_map))

    def resolve(self, path: Path) -> Path:
        """A path from the config, relative to the config file's folder."""
        if path.is_absolute() or self.file is None:
            return path
        return self.file.parent / path


def find_config(path: Path | None = None) -> Path | None:
    """`path`, else $CRMHUB_CONFIG, else ./config/crmhub.yaml if present, else None (defaults)."""
    if path is not None:
        return path
    env = os.environ.get("CRMHUB_CONFIG")
    if env:
        return Path(env)
    return DEFAULT_PATH if DEFAULT_PATH.exists() else None


def _parse(
    file: Path, model: type[BaseModel], issues: list[ConfigIssue]
) -> tuple[BaseModel | None, LoadedYaml | None]:
    if not file.exists():
        issues.append(ConfigIssue(file, 1, "(file)", "file not found", "check the path"))
        return None, None
    try:
        source = load_yaml(file)
    except YamlSyntaxError as exc:
        issues.append(ConfigIssue(file, exc.line, "(syntax)", exc.message, "fix the YAML syntax"))
        return None, None
    data = {} if source.data is None else source.data
    try:
        return model.model_validate(data), source
    except ValidationError as exc:
        issues.extend(issues_from_validation(exc, source, model))
        return None, source


def _context(name: str, conn: ConnectionConfig, connector_map: ConnectorMap) -> MappingContext:
    return MappingContext(name, conn.default_region, conn.timezone, connector_map.default_currency)


def _load_mapping(file: Path, issues: list[ConfigIssue]) -> ConnectorMap | None:
    """Check a map file: its structure (with did-you-mean on keys), then its meaning."""
    spec, source = _parse(file, MapFile, issues)
    if not isinstance(spec, MapFile) or source is None:
        return None
    try:
        return compile_map(spec, source=str(file))
    except MapDefinitionError as exc:
        for problem in exc.problems:
            line = source.line_of(problem.loc)
            issues.append(ConfigIssue(file, line, problem.where, problem.message, problem.fix))
        return None


def _check_mappings(loaded: LoadedConfig, source: LoadedYaml, issues: list[ConfigIssue]) -> None:
    assert loaded.file is not None
    checked: dict[Path, ConnectorMap | None] = {}  # a map file shared by connections: once
    for name, conn in loaded.hub.connections.items():
        if conn.mapping is None:
            continue
        where = ("connections", name, "mapping")
        file = loaded.resolve(conn.mapping)
        if not file.exists():
            issues.append(
                ConfigIssue(
                    loaded.file,
                    source.line_of(where),
                    ".".join(where),
                    "file not found",
                    "check the path (relative to this config file)",
                )
            )
            continue
        if file not in checked:
            checked[file] = _load_mapping(file, issues)
        connector_map = checked[file]
        if connector_map is None:
            continue
        if connector_map.connector != conn.type:
            issues.append(
                ConfigIssue(
                    loaded.file,
                    source.line_of(where),
                    ".".join(where),
                    f"{conn.mapping} maps `{connector_map.connector}`, but this "
                    f"connection's type is `{conn.type}`",
                    f"use the map file written for {conn.type}",
                )
            )
            continue
        try:
            _context(name, conn, connector_map)
        except ValueError as exc:
            key = "timezone" if str(exc).startswith("timezone") else "default_region"
            issues.append(
                ConfigIssue(
                    loaded.file,
                    source.line_of(("connections", name, key)),
                    f"connections.{name}.{key}",
                    str(exc),
                )
            )
            continue
        loaded.mappings[name] = connector_map


def _check_connection_refs(
    section: BaseModel, source: LoadedYaml, hub: HubConfig, issues: list[ConfigIssue]
) -> None:
    """A section naming a connection the main config does not declare (a typo, or one that
    was removed) is an error at start-up, not a rule that silently never applies."""
    refs = getattr(section, "connection_refs", None)
    if refs is None:
        return
    known = sorted(hub.connections)
    for loc, name in refs():
        if name in hub.connections:
            continue
        guess = did_you_mean(name, known)
        issues.append(
            ConfigIssue(
                source.file,
                source.line_of(loc),
                "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip("."),
                f"no connection named `{name}` in the main config",
                f"did you mean `{guess}`?" if guess else f"use one of: {', '.join(known)}",
            )
        )


def _collect(path: Path | None) -> tuple[LoadedConfig | None, list[ConfigIssue]]:
    issues: list[ConfigIssue] = []
    file = find_config(path)
    if file is None:
        return LoadedConfig(hub=HubConfig(), file=None), issues
    hub, source = _parse(file, HubConfig, issues)
    if not isinstance(hub, HubConfig) or source is None:
        return None, issues
    loaded = LoadedConfig(hub=hub, file=file)
    for name, model in SECTIONS.items():
        section_path = getattr(hub, name)
        if section_path is not None:
            section, section_source = _parse(loaded.resolve(section_path), model, issues)
            if section is not None and section_source is not None:
                loaded.sections[name] = section
                _check_connection_refs(section, section_source, hub, issues)
    _check_mappings(loaded, source, issues)
    for conn_name, conn in hub.connections.items():
        for key, secret in conn.credentials.items():
            if not secret.is_set():
                line = source.line_of(("connections", conn_name, "credentials", key))
                issues.append(
                    ConfigIssue(
                        file,
                        line,
                        f"connections.{conn_name}.credentials.{key}",
                        f"environment variable {secret.env} is not set",
                        f"export {secret.env}=… before running a sync",
                        severity="warning",
                    )
                )
    return loaded, issues


def check_config(path: Path | None = None) -> list[ConfigIssue]:
    """Every issue in the config and its section files (errors and warnings)."""
    return _collect(path)[1]


def load_config(path: Path | None = None) -> LoadedConfig:
    """The validated config; raises ConfigError listing every error (warnings do not stop it)."""
    loaded, issues = _collect(path)
    errors = [i for i in issues if i.severity == "error"]
    if errors or loaded is None:
        raise ConfigError(errors)
    return loaded
