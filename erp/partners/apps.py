from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "erp.partners"
    verbose_name = _("Business partners")

    def ready(self) -> None:
        from erp.core.customfields.registry import register
        from erp.partners import search  # noqa: F401 (registers the global search provider)
        from erp.partners.models import Partner

        register(Partner)  # custom fields, business rules
