"""Registries that let orchestration serve every app without importing any: each app declares what it
has in a module of its own (`roles.py`, `kinds.py`, `schedules.py`, `demo.py`), found by Django's
`autodiscover_modules`, and the shared code reads the registry."""
