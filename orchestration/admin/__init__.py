"""orchestration's admin (Django's autodiscover imports this package): the site itself, users, the ledger.

`readonly` and `login` are pieces the other apps' admins reuse."""

from orchestration.admin import alerts, companies, executions, site, users  # noqa: F401

# The invoice pipeline's admin pages (a sub-package the shared modules never import).
from orchestration.invoices import admin_accounts, admin_processes  # noqa: E402,F401  isort: skip
