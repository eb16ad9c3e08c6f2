"""Connectors: one package per remote CRM (spec, quirks, local emulator) over one HTTP client."""
