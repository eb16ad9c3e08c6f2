"""Keep secrets out of messages: one scrubber per connection knows every secret it holds."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from pydantic import SecretStr

__all__ = ["MASK", "Scrubber"]

MASK = "***"
# Short values (a "1" or "true") would mask ordinary text and protect nothing.
_MIN_SECRET_LENGTH = 6


class Scrubber:
    """Replaces every known secret (configured credentials and tokens issued at run time)."""

    def __init__(self, secrets: Iterable[SecretStr | str] = ()) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: SecretStr | str | None) -> None:
        if secret is None:
            return
        value = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
        if len(value) >= _MIN_SECRET_LENGTH:
            with self._lock:
                self._values.add(value)

    def __call__(self, text: str) -> str:
        with self._lock:
            values = sorted(self._values, key=len, reverse=True)
        for value in values:
            if value in text:
                text = text.replace(value, MASK)
        return text
