"""orchestration's remote-job handlers, one module per sub-package (see orchestration.registries.remote_jobs)."""

from orchestration.invoices import remote_jobs as invoices_remote_jobs  # noqa: F401
