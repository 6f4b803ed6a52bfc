"""Writes and workflows of the invoice pipeline. Every status change of an InvoiceProcess goes through
`machine.INVOICE_MACHINE`."""
