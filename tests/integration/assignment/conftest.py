"""Fixtures for assignment integration tests (the seeding helpers live in assignment_seed)."""

from __future__ import annotations

import pytest
from assignment_seed import POLICY, Seed, policy_of

from core.assignment import AssignmentPolicy
from core.store import Store


@pytest.fixture
def seed(store: Store) -> Seed:
    return Seed(store)


@pytest.fixture
def policy() -> AssignmentPolicy:
    return policy_of(POLICY)
