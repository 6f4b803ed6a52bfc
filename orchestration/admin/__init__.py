"""orchestration's admin (Django's autodiscover imports this package): the site itself, users, the ledger.

`readonly` and `login` are pieces the other apps' admins reuse."""

from orchestration.admin import alerts, companies, executions, site, users  # noqa: F401

# The invoice pipeline's admins live in its own sub-package.
from orchestration.invoices import admin_accounts  # noqa: E402, F401  isort: skip
