"""Core: store, matching and merging, assignment, conflicts, the sync planner, audit log."""
