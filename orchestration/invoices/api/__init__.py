"""The invoice pipeline's API: one module per resource, routes in urls.py (included by orchestration/api/urls.py)."""
