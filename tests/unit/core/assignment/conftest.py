"""Fixtures for assignment unit tests (the builders live in assignment_builders)."""

from __future__ import annotations

import pytest
from assignment_builders import Build


@pytest.fixture
def build() -> Build:
    return Build()
