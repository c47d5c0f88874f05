"""The operator account `erp_setup` creates: a documented password locally,
never the well-known one in production."""

from __future__ import annotations

import pytest
from django.core.management.base import CommandError
from django.test import override_settings

from erp.accounts.models import User
from erp.tenancy.management.commands.erp_setup import OPERATOR_EMAIL, Command

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_operator(public_schema):
    User.objects.filter(is_superuser=True).update(is_superuser=False, email="former-operator@example.com")


class TestOperatorAccount:
    @override_settings(ERP_HTTPS=True)
    def test_is_not_created_with_the_default_password_in_production(self, no_operator, monkeypatch):
        monkeypatch.delenv("ERP_OPERATOR_PASSWORD", raising=False)

        with pytest.raises(CommandError, match="ERP_OPERATOR_PASSWORD"):
            Command()._operator_ensure()

        assert not User.objects.filter(is_superuser=True).exists()

    @override_settings(ERP_HTTPS=True)
    def test_is_created_with_the_password_from_the_environment(self, no_operator, monkeypatch):
        monkeypatch.setenv("ERP_OPERATOR_PASSWORD", "a-long-operator-secret")

        Command()._operator_ensure()

        assert User.objects.get(email=OPERATOR_EMAIL).check_password("a-long-operator-secret")

    @override_settings(ERP_HTTPS=False)
    def test_gets_the_documented_password_for_local_use(self, no_operator, monkeypatch):
        monkeypatch.delenv("ERP_OPERATOR_PASSWORD", raising=False)

        Command()._operator_ensure()

        assert User.objects.get(email=OPERATOR_EMAIL).check_password("operator")
