"""Every write of the correspondence app (services split by subject)."""
