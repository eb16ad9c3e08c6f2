"""The one error every value transform raises."""

from __future__ import annotations

from typing import Any

__all__ = ["TransformError"]


class TransformError(ValueError):
    """A value could not be turned into its canonical form.

    ``reason`` says why in words an operator can act on; ``value`` is the offending input.
    The mapping engine adds connection, entity, remote id and field around it.
    """

    def __init__(self, reason: str, value: Any = None) -> None:
        self.reason = reason
        self.value = value
        super().__init__(f"{reason} (got {value!r})")
