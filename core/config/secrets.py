"""Secrets in config are references to environment variables, never the secret itself."""

from __future__ import annotations

import os
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, SecretStr, model_validator
from pydantic_core import PydanticCustomError

__all__ = ["EnvSecret", "MissingSecretError"]

_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


class MissingSecretError(LookupError):
    pass


class EnvSecret(BaseModel):
    """`env:NAME` (or `{env: NAME}`) in YAML: the value is read from $NAME when it is needed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    env: str

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            if value.startswith("env:"):
                return {"env": value[4:].strip()}
            raise PydanticCustomError(
                "inline_secret",
                "secrets must not be written in config files",
                {"fix": "put the value in an environment variable and write `env:VARIABLE_NAME`"},
            )
        return value

    @model_validator(mode="after")
    def _valid_name(self) -> EnvSecret:
        if not _ENV_NAME.match(self.env):
            raise PydanticCustomError(
                "env_name",
                "{name!r} is not an environment variable name",
                {
                    "name": self.env,
                    "fix": "use upper-case letters, digits and _ (e.g. ZOHO_CLIENT_SECRET)",
                },
            )
        return self

    def is_set(self) -> bool:
        return bool(os.environ.get(self.env))

    def resolve(self) -> SecretStr:
        value = os.environ.get(self.env)
        if not value:
            raise MissingSecretError(f"environment variable {self.env} is not set")
        return SecretStr(value)
