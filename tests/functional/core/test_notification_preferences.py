"""Notification preferences: each user chooses which kinds of notification also come by e-mail."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from erp.core.models import Notification, NotificationPreference
from erp.core.notifications import email_choices, notify

pytestmark = pytest.mark.django_db

REQUESTED = "workflow.approval_requested"
RULE_NOTICE = "workflow.rule_notice"


class TestPreferencesScreen:
    def test_shows_every_kind_with_its_default(self, admin_client, django_assert_max_num_queries):
        with django_assert_max_num_queries(15):
            response = admin_client.get(reverse("core:notification-preferences"))

        form = response.context["form"]
        assert response.status_code == 200
        assert form.fields[REQUESTED].initial is True
        assert form.fields[RULE_NOTICE].initial is False
        assert "A document waits for my approval" in response.content.decode()

    def test_saves_the_choice_of_the_signed_in_user_only(self, client_for, user_with_role, admin_user):
        user = user_with_role("Sales")

        response = client_for(user).post(reverse("core:notification-preferences"), {RULE_NOTICE: "on"})

        assert response.status_code == 302
        assert email_choices(user)[RULE_NOTICE] is True and email_choices(user)[REQUESTED] is False
        assert email_choices(admin_user)[RULE_NOTICE] is False
        assert NotificationPreference.objects.get(user=user, kind=RULE_NOTICE).history.count() == 1

    def test_the_profile_links_to_it(self, admin_client):
        response = admin_client.get(reverse("accounts:profile"))

        assert reverse("core:notification-preferences") in response.content.decode()


class TestDelivery:
    def test_e_mails_follow_the_preferences_after_commit(
        self, user_with_role, django_capture_on_commit_callbacks, tenant
    ):
        wants = user_with_role("Sales", email="wants@testco.example.com")
        declines = user_with_role("Sales", email="declines@testco.example.com")
        NotificationPreference.objects.create(user=declines, kind=REQUESTED, email=False)

        with django_capture_on_commit_callbacks(execute=True):
            notify(recipients=[wants, declines], verb=REQUESTED, title="Please approve JE-1", url="/finance/x/")

        assert Notification.objects.filter(verb=REQUESTED).count() == 2
        [message] = mail.outbox
        assert message.to == ["wants@testco.example.com"]
        assert message.subject == "Please approve JE-1"
        assert "http://testco.localhost/finance/x/" in message.body

    def test_inactive_users_are_not_notified(self, user_with_role):
        gone = user_with_role("Sales")
        gone.is_active = False
        gone.save()

        assert notify(recipients=[gone], verb=REQUESTED, title="x") == []

    def test_the_bell_counts_the_unread_ones(self, client_for, user_with_role):
        user = user_with_role("Sales")
        notify(recipients=[user], verb=REQUESTED, title="One")
        notify(recipients=[user], verb=REQUESTED, title="Two")

        response = client_for(user).get(reverse("core:notification-bell"), HTTP_HX_REQUEST="true")

        assert 'id="erp-bell-count">2<' in response.content.decode()
        assert 'hx-trigger="every 30s, erp:notifications from:body"' in response.content.decode()
