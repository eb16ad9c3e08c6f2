"""Local emulators of the CRMs: real HTTP servers that behave like the real APIs, and their data."""
