"""Reports of the invoice pipeline: the monthly totals (flow 8) and the daily summary (flow 7)."""
