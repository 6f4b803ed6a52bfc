"""The invoice pipeline on the API: one module per resource (carriers and accounts here, the monthly report)."""
