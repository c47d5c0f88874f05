from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "erp.finance"
    label = "finance"
    verbose_name = _("Finance")

    def ready(self) -> None:
        from erp.core.documents import registry
        from erp.finance import search  # noqa: F401 (registers the global search provider)
        from erp.finance.journal import search as journal_search  # noqa: F401 (global search provider)
        from erp.finance.journal.effects import JournalEntryEffects
        from erp.finance.journal.models import JournalEntry

        registry.register(JournalEntry, JournalEntryEffects())

        from erp.finance.invoicing.effects import InvoiceEffects
        from erp.finance.invoicing.models import CustomerInvoice, VendorBill
        from erp.finance.payments.effects import PaymentEffects
        from erp.finance.payments.models import Payment

        registry.register(CustomerInvoice, InvoiceEffects())
        registry.register(VendorBill, InvoiceEffects())
        registry.register(Payment, PaymentEffects())
