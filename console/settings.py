"""What one console app is given: its store, the matching config decisions need, and policies
for cookies, sessions, time display and list sizes. Passed explicitly, never a global."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, timedelta, tzinfo

from argon2 import PasswordHasher

from console.accounts import LoginThrottle
from core.config.matching import MatchingConfig
from core.store import Store
from core.sync.context import SyncContext
from workers.broker import BrokerTarget

__all__ = ["ConsoleSettings"]


@dataclass(frozen=True)
class ConsoleSettings:
    store: Store
    matching: MatchingConfig = field(default_factory=MatchingConfig)
    # the connections, maps and policies: a resolved conflict's writes are queued at once (None:
    # the entity stays marked and the next plan writes it)
    sync: SyncContext | None = None
    hasher: PasswordHasher = field(default_factory=PasswordHasher)
    session_ttl: timedelta = timedelta(hours=12)
    # None: Secure cookies exactly when the request came over https (directly or, with
    # uvicorn's --proxy-headers, through a proxy that says so)
    secure_cookies: bool | None = None
    zone: tzinfo = UTC
    page_size: int = 25
    # the workers' broker, for its depth on the dashboard (None: not shown)
    broker: BrokerTarget | None = None
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
