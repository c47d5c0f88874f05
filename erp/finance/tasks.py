"""Background tasks of the finance app, imported here so the huey consumer registers them."""

from erp.finance.invoicing.tasks import customer_invoice_email  # noqa: F401
from erp.finance.openitems.statements import customer_statement_email  # noqa: F401
