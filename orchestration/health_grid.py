"""orchestration's rows on the console's health grid (see registries/console.py): the invoice pipeline's,
from its own sub-package (the shared modules never import it)."""

from orchestration.invoices import health_grid as invoices_health_grid  # noqa: F401
