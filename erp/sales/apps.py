from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "erp.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from erp.core import dashboard
        from erp.core.documents import hooks, registry
        from erp.sales import analysis, deliveries, search, services  # noqa: F401 (search registers its provider)
        from erp.sales.effects import QuotationEffects, SalesOrderEffects
        from erp.sales.models import Delivery, Quotation, SalesOrder

        registry.register(Quotation, QuotationEffects())
        registry.register(SalesOrder, SalesOrderEffects())
        registry.register(Delivery, deliveries.DeliveryEffects())
        hooks.register_transition_listener(services.on_order_transition)
        hooks.register_transition_listener(services.on_invoice_transition)
        hooks.register_transition_listener(deliveries.on_delivery_transition)
        dashboard.register(analysis.dashboard_widget, permission="sales.view_salesorder")
