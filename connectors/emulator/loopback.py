"""The `connections:` of a crmhub config that points at the two emulators on loopback.

Used by `crmhub demo`, the benchmarks and the tests that run the real CLI. The emulators
generate their credentials; the config names them as `env:` secrets (never in the file), and
`credentials_env` gives the environment that carries them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

__all__ = ["config_text", "connections", "credentials_env"]

# credential key in the config -> (key in the emulator's `credentials()`, env name suffix)
_ZOHO = {
    "client_id": ("client_id", "ZOHO_CLIENT_ID"),
    "client_secret": ("client_secret", "ZOHO_CLIENT_SECRET"),
    "refresh_token": ("refresh_token", "ZOHO_REFRESH_TOKEN"),
}
_FXIAOKE = {
    "app_id": ("appId", "FXIAOKE_APP_ID"),
    "app_secret": ("appSecret", "FXIAOKE_APP_SECRET"),
    "permanent_code": ("permanentCode", "FXIAOKE_PERMANENT_CODE"),
}
_CREDENTIALS = {"zoho": _ZOHO, "fxiaoke": _FXIAOKE}


def credentials_env(prefix: str, emulators: Mapping[str, Any]) -> dict[str, str]:
    """Env name -> secret for each emulator in `emulators` (connection type -> emulator)."""
    env: dict[str, str] = {}
    for type_, emulator in emulators.items():
        issued = emulator.credentials()
        for own_key, env_suffix in _CREDENTIALS[type_].values():
            env[f"{prefix}_{env_suffix}"] = issued[own_key]
    return env


def connections(
    prefix: str,
    urls: Mapping[str, str],
    mappings: Path,
    *,
    fxiaoke_user: str | None = None,
    common: Mapping[str, Any] | None = None,
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """One connection per emulator in `urls` (connection type -> base URL), named by its type.

    `common`: keys every connection gets (default_region, timezone, schedule…); `options`: per
    connection, more of its `options:` (client budgets…)."""
    made: dict[str, Any] = {}
    for type_, url in urls.items():
        connection: dict[str, Any] = {
            "type": type_,
            "base_url": url,
            **(common or {}),
            "mapping": str(mappings / f"{type_}.yaml"),
            "credentials": {
                key: f"env:{prefix}_{env_suffix}"
                for key, (_own, env_suffix) in _CREDENTIALS[type_].items()
            },
        }
        extra = dict((options or {}).get(type_, {}))
        if type_ == "fxiaoke" and fxiaoke_user is not None:
            # Fxiaoke's writes act as a user of the tenant (reference §11)
            extra = {"current_open_user_id": fxiaoke_user, **extra}
        if extra:
            connection["options"] = extra
        made[type_] = connection
    return made


def config_text(sections: Mapping[str, Any], heading: str = "") -> str:
    """A config file's text: `heading` as comment lines, then the sections in their order."""
    comment = "".join(f"# {line}\n" for line in heading.splitlines())
    return comment + yaml.safe_dump(dict(sections), allow_unicode=True, sort_keys=False)
