"""`python -m workers.cli ...` runs the `crmhub` command (what tests start as a subprocess)."""

from __future__ import annotations

from workers.cli import main

main()
