"""Changing the three-way match settings: tolerances, what a bill outside them does, the role
that approves it; refused out of range and when someone else saved in between."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from erp.core.exceptions import ConcurrentModification, DomainError
from erp.core.models import BusinessEvent
from erp.purchasing import billing, services
from erp.purchasing.models.settings import MismatchAction
from erp.purchasing.selectors import purchasing_settings

pytestmark = pytest.mark.django_db


def _update(by, **changes):
    current = purchasing_settings()
    fields = {
        "price_tolerance_percent": current.price_tolerance_percent,
        "quantity_tolerance_percent": current.quantity_tolerance_percent,
        "mismatch_action": current.mismatch_action,
        "mismatch_role": current.mismatch_role,
        **changes,
    }
    return services.purchasing_settings_update(expected_version=current.version, by=by, **fields)


class TestPurchasingSettingsUpdate:
    def test_saves_the_tolerances_action_and_role_and_records_it(self, admin_user):
        accountants = Group.objects.get(name="Accountant")
        version = purchasing_settings().version

        saved = _update(
            admin_user,
            price_tolerance_percent=Decimal("5"),
            quantity_tolerance_percent=Decimal("1.5"),
            mismatch_action=MismatchAction.BLOCK,
            mismatch_role=accountants,
        )

        again = purchasing_settings()
        assert (again.price_tolerance_percent, again.quantity_tolerance_percent) == (Decimal("5"), Decimal("1.5"))
        assert (again.mismatch_action, again.mismatch_role, again.updated_by) == ("block", accountants, admin_user)
        assert saved.version == again.version == version + 1
        assert billing.mismatch_role() == accountants
        event = BusinessEvent.objects.get(verb="purchasing.settings.updated")
        assert event.data["mismatch_role"] == "Accountant"

    def test_without_a_role_the_manager_approves(self, admin_user):
        _update(admin_user, mismatch_role=None)

        assert billing.mismatch_role().name == "Manager"

    @pytest.mark.parametrize("field", ["price_tolerance_percent", "quantity_tolerance_percent"])
    def test_a_percentage_out_of_range_is_refused_on_its_field(self, admin_user, field):
        before = purchasing_settings().version

        with pytest.raises(DomainError) as refused:
            _update(admin_user, **{field: Decimal("100.5")})

        assert (refused.value.field, str(refused.value.message)) == (field, "Enter a percentage from 0 to 100.")
        assert purchasing_settings().version == before

    def test_an_unknown_action_is_refused(self, admin_user):
        with pytest.raises(DomainError, match="Choose what a bill outside the tolerances does"):
            _update(admin_user, mismatch_action="ignore")

    def test_a_stale_version_is_refused(self, admin_user):
        stale = purchasing_settings().version
        _update(admin_user, price_tolerance_percent=Decimal("3"))

        with pytest.raises(ConcurrentModification):
            services.purchasing_settings_update(
                expected_version=stale,
                by=admin_user,
                price_tolerance_percent=Decimal("4"),
                quantity_tolerance_percent=Decimal("0"),
                mismatch_action=MismatchAction.APPROVAL,
            )

        assert purchasing_settings().price_tolerance_percent == Decimal("3")
