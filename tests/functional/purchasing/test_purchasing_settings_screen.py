"""The purchasing settings screen: the three-way match's tolerances, what a bill outside them
does and the role that approves it; bad input next to the field; refused without the permission."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from erp.purchasing.selectors import purchasing_settings

pytestmark = pytest.mark.django_db

URL = reverse("purchasing:settings")


@pytest.fixture
def manager(client_for, user_with_role):
    return client_for(user_with_role("Manager"))


def _data(**changes) -> dict:
    current = purchasing_settings()
    return {
        "price_tolerance_percent": "2",
        "quantity_tolerance_percent": "0",
        "mismatch_action": "approval",
        "mismatch_role": "",
        "version": str(current.version),
        **changes,
    }


def test_shows_the_current_settings(manager):
    response = manager.get(URL)

    assert response.status_code == 200
    text = response.content.decode()
    assert "Purchasing settings" in text
    assert 'id="id_price_tolerance_percent"' in text
    assert response.context["form"]["price_tolerance_percent"].value() == Decimal("2")
    assert "Manager (default)" in text
    assert "Require an approval" in text


def test_saves_and_goes_back_to_the_settings(manager):
    controlling = Group.objects.get(name="Accountant")

    response = manager.post(
        URL, _data(price_tolerance_percent="3.5", mismatch_action="block", mismatch_role=str(controlling.pk))
    )

    assert response.status_code == 302 and response.url == URL
    saved = purchasing_settings()
    assert (saved.price_tolerance_percent, saved.mismatch_action, saved.mismatch_role) == (
        Decimal("3.5"),
        "block",
        controlling,
    )


def test_a_tolerance_over_100_is_refused_next_to_the_field(manager):
    before = purchasing_settings().version

    response = manager.post(URL, _data(quantity_tolerance_percent="150"))

    assert response.status_code == 200
    assert response.context["form"].errors["quantity_tolerance_percent"] == [
        "Ensure this value is less than or equal to 100."
    ]
    assert purchasing_settings().version == before


def test_a_change_saved_meanwhile_is_not_overwritten(manager):
    stale = _data(price_tolerance_percent="9")
    manager.post(URL, _data(price_tolerance_percent="4"))

    response = manager.post(URL, stale)

    assert response.status_code == 200
    assert "Someone else changed the settings while you were editing them." in response.content.decode()
    assert purchasing_settings().price_tolerance_percent == Decimal("4")


def test_offered_in_the_menu_to_those_who_may_change_it(manager, client_for, user_with_role):
    assert f'href="{URL}"' in manager.get(reverse("core:dashboard")).content.decode()
    assert (
        f'href="{URL}"' not in client_for(user_with_role("Accountant")).get(reverse("core:dashboard")).content.decode()
    )


def test_refused_without_the_permission(client_for, user_with_role):
    accountant = client_for(user_with_role("Accountant"))

    assert accountant.get(URL).status_code == 403
    assert accountant.post(URL, _data(price_tolerance_percent="50")).status_code == 403
    assert purchasing_settings().price_tolerance_percent == Decimal("2")


def test_another_tenants_settings_are_its_own(manager, other_admin_client, other_tenant):
    from django_tenants.utils import schema_context

    manager.post(URL, _data(price_tolerance_percent="7"))

    with schema_context(other_tenant.schema_name):
        other = purchasing_settings()
    response = other_admin_client.get(URL)

    assert response.status_code == 200
    assert other.price_tolerance_percent == Decimal("2")
