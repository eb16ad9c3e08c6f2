"""Zoho CRM: the connector (to come) and its local emulator (`connectors.zoho.emulator`)."""
