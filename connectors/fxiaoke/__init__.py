"""Fxiaoke (纷享销客 / ShareCRM): the connector (to come) and its emulator (`connectors.fxiaoke.emulator`)."""
