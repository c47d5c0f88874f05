from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "erp.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from erp.core.listing import cell_signatures_cached

        cell_signatures_cached()
