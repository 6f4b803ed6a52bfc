"""Kommo in the admin (see admin_site.py)."""
