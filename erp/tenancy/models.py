"""The tenant registry. Lives only in the public schema."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.utils import get_public_schema_name


class ClientQuerySet(models.QuerySet):
    def companies(self) -> ClientQuerySet:
        """Client companies: neither the operator's public schema nor the template."""
        return self.exclude(schema_name=get_public_schema_name()).filter(is_template=False)

    def search(self, text: str) -> ClientQuerySet:
        if not text:
            return self
        return self.filter(
            models.Q(name__icontains=text)
            | models.Q(schema_name__icontains=text)
            | models.Q(domains__domain__icontains=text)
        ).distinct()


class Client(TenantMixin):
    """A client company: one PostgreSQL schema, reached on its own sub-domain."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    name = models.CharField(_("company name"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    is_template = models.BooleanField(
        _("template"), default=False, help_text=_("The migrated schema new tenants are cloned from.")
    )
    country = models.CharField(_("country"), max_length=2, blank=True)
    currency = models.CharField(_("company currency"), max_length=3, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)

    auto_create_schema = True
    auto_drop_schema = True

    objects = ClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")
        ordering = ["name"]
        permissions = [("manage_tenants", _("Can create, suspend and reactivate tenants"))]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def primary_domain(self) -> str:
        domain = next((d for d in self.domains.all() if d.is_primary), None)
        return domain.domain if domain else ""

    def url(self, *, port: str | int | None = None) -> str:
        scheme = "https" if settings.ERP_HTTPS else "http"
        suffix = f":{port}" if port and str(port) not in ("80", "443") else ""
        return f"{scheme}://{self.primary_domain}{suffix}/"


class Domain(DomainMixin):
    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")

    def __str__(self) -> str:
        return self.domain
