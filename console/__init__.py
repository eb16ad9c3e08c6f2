"""The operator console: a web page where operators decide what the machine cannot.

Public API:
- `create_app(ConsoleSettings(store, matching=..., zone=...))` → a FastAPI app (login required)
- `console.accounts`: `add_operator(session, name, password, *, hasher, actor)`,
  `list_operators(session)`, `authenticate(session, name, password, *, hasher)`
- `console.decisions`: the one place the console calls core to decide anything
"""

from __future__ import annotations

from console.app import PUBLIC_PATHS, create_app
from console.settings import ConsoleSettings

__all__ = ["PUBLIC_PATHS", "ConsoleSettings", "create_app"]
