"""The tenant's purchasing settings: one row (``erp.purchasing.selectors.purchasing_settings``)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MismatchAction(models.TextChoices):
    BLOCK = "block", _("Block posting")
    APPROVAL = "approval", _("Require an approval")


class PurchasingSettings(models.Model):
    """Tolerances of the three-way match (order, receipt, bill) and what a bill outside them does."""

    price_tolerance_percent = models.DecimalField(
        _("price tolerance (%)"),
        max_digits=7,
        decimal_places=4,
        default=Decimal("2"),
        help_text=_("How far a billed unit price may differ from the order's before it counts as a mismatch."),
    )
    quantity_tolerance_percent = models.DecimalField(
        _("quantity tolerance (%)"),
        max_digits=7,
        decimal_places=4,
        default=Decimal("0"),
        help_text=_("How much more than was received (or ordered, for services) may be billed."),
    )
    mismatch_action = models.CharField(
        _("a bill outside the tolerances"),
        max_length=10,
        choices=MismatchAction.choices,
        default=MismatchAction.APPROVAL,
    )
    mismatch_role = models.ForeignKey(
        Group,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The role that approves the differences; empty: Manager."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("purchasing settings")
        verbose_name_plural = _("purchasing settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(price_tolerance_percent__gte=0, price_tolerance_percent__lte=100),
                name="purchasing_settings_price_tolerance_range",
            ),
            models.CheckConstraint(
                condition=Q(quantity_tolerance_percent__gte=0, quantity_tolerance_percent__lte=100),
                name="purchasing_settings_quantity_tolerance_range",
            ),
            models.CheckConstraint(
                condition=Q(mismatch_action__in=MismatchAction.values), name="purchasing_settings_action_valid"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Purchasing settings"))
