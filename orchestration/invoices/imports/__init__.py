"""Flow 6: carrier accounts from a spreadsheet's CSV (see `accounts.carrier_accounts_import`)."""

from orchestration.invoices.imports.accounts import ImportReport, RowError, carrier_accounts_import
from orchestration.invoices.imports.reading import ImportFileError

__all__ = ["ImportFileError", "ImportReport", "RowError", "carrier_accounts_import"]
