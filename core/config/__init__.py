"""Configuration: YAML files validated by pydantic, with file:line errors and fixes."""

from __future__ import annotations

from core.config.errors import ConfigError, ConfigIssue
from core.config.load import LoadedConfig, check_config, find_config, load_config
from core.config.schema import ConnectionConfig, HubConfig, Schedule
from core.config.secrets import EnvSecret, MissingSecretError

__all__ = [
    "ConfigError",
    "ConfigIssue",
    "ConnectionConfig",
    "EnvSecret",
    "HubConfig",
    "LoadedConfig",
    "MissingSecretError",
    "Schedule",
    "check_config",
    "find_config",
    "load_config",
]
