"""Prometheus monitoring: the collector that reads the ledger at scrape time, the broker's queue lengths and
who may read `/metrics`. Request metrics come from django-prometheus's middlewares (config/settings/base.py)."""
