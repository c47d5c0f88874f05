"""Background tasks of the finance app, imported here so the huey consumer registers them."""

from django_tenants.utils import get_public_schema_name, schema_context
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from erp.finance.invoicing.tasks import customer_invoice_email  # noqa: F401
from erp.finance.openitems.statements import customer_statement_email  # noqa: F401


@db_periodic_task(crontab(minute="*/5"))
def balances_compact_all() -> dict[str, int]:
    """Every five minutes, in every tenant: fold the balance rows postings appended
    (``erp.finance.balances.balances_compact``); the rows removed per schema."""
    from erp.finance.balances import balances_compact
    from erp.tenancy.models import Client

    with schema_context(get_public_schema_name()):
        schemas = list(Client.objects.companies().values_list("schema_name", flat=True))
    removed = {}
    for schema in schemas:
        with schema_context(schema):
            removed[schema] = balances_compact()
    return removed
