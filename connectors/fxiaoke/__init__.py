"""Fxiaoke (纷享销客 / ShareCRM): the connector (to come) and its emulator.

The emulator lives in `connectors.fxiaoke.emulator`.
"""
