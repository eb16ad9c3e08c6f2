"""Canonical model, value transforms and the mapping engine between each CRM and the model."""
