"""The emulator's clock: real time plus an offset that tests and the admin API can advance.

Everything time-dependent in an emulator (token expiry, page-token expiry, credit windows,
per-endpoint call windows, record modified times) reads this clock, so a test can expire a token
by advancing the clock instead of sleeping. Sleeps for injected latency use real time.
"""

from __future__ import annotations

import threading
import time

__all__ = ["EmulatorClock"]


class EmulatorClock:
    def __init__(self, offset_s: float = 0.0) -> None:
        self._offset = offset_s
        self._lock = threading.Lock()

    @property
    def offset_s(self) -> float:
        return self._offset

    def now(self) -> float:
        """Seconds since the epoch, as the emulated CRM sees it."""
        return time.time() + self._offset

    def now_ms(self) -> int:
        return int(self.now() * 1000)

    def advance(self, seconds: float) -> None:
        """Move the emulated time forward (never backward: CRMs' clocks do not run back)."""
        if seconds < 0:
            raise ValueError(f"the clock only moves forward, not by {seconds} s")
        with self._lock:
            self._offset += seconds
