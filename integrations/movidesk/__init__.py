"""Movidesk: tickets read from its public API into MovideskTicket, by window (manual, API, scheduled HH:MM
list, demo) or as a resumable backfill, each run one Execution in the ledger."""
