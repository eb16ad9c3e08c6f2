"""Alembic migrations of the store (a package so installs carry them)."""
