from django.urls import reverse

from erp.core.models import Notification
from tests.factories.core import NotificationFactory


class TestNotificationBell:
    def test_shows_the_number_of_unread_notifications(self, admin_client, admin_user):
        NotificationFactory.create_batch(3, recipient=admin_user)
        NotificationFactory(recipient=admin_user, read_at="2024-01-01T00:00:00Z")

        response = admin_client.get(reverse("core:notification-bell"), HTTP_HX_REQUEST="true")

        assert response.status_code == 200
        content = response.content.decode()
        assert 'id="erp-bell-count">3<' in content
        assert "<html" not in content

    def test_counts_only_the_users_own_notifications(self, client_for, user_with_role, admin_user):
        NotificationFactory(recipient=admin_user)

        response = client_for(user_with_role("Sales")).get(reverse("core:notification-bell"))

        assert "erp-bell-count" not in response.content.decode()


class TestNotificationList:
    def test_lists_the_users_notifications_and_not_others(self, client_for, user_with_role, admin_user):
        user = user_with_role("Sales")
        NotificationFactory(recipient=user, title="Your order shipped")
        NotificationFactory(recipient=admin_user, title="Admin only")

        response = client_for(user).get(reverse("core:notification-list"))

        content = response.content.decode()
        assert "Your order shipped" in content
        assert "Admin only" not in content


class TestNotificationRead:
    def test_marks_it_read_and_opens_its_link(self, admin_client, admin_user):
        notification = NotificationFactory(recipient=admin_user, url="/organizations/")

        response = admin_client.post(reverse("core:notification-read", args=[notification.pk]))

        assert response.status_code == 302
        assert response["Location"] == "/organizations/"
        notification.refresh_from_db()
        assert notification.read_at is not None

    def test_does_not_follow_a_link_to_another_site(self, admin_client, admin_user):
        notification = NotificationFactory(recipient=admin_user, url="https://evil.example.com/")

        response = admin_client.post(reverse("core:notification-read", args=[notification.pk]))

        assert response["Location"] == reverse("core:notification-list")

    def test_cannot_touch_another_users_notification(self, client_for, user_with_role, admin_user):
        notification = NotificationFactory(recipient=admin_user)

        response = client_for(user_with_role("Sales")).post(reverse("core:notification-read", args=[notification.pk]))

        assert response.status_code == 404
        notification.refresh_from_db()
        assert notification.read_at is None

    def test_refuses_get(self, admin_client, admin_user):
        notification = NotificationFactory(recipient=admin_user)

        response = admin_client.get(reverse("core:notification-read", args=[notification.pk]))

        assert response.status_code == 405


class TestNotificationReadAll:
    def test_marks_only_the_users_notifications_read(self, admin_client, admin_user, user_with_role):
        NotificationFactory.create_batch(2, recipient=admin_user)
        other = NotificationFactory(recipient=user_with_role("Sales"))

        response = admin_client.post(reverse("core:notification-read-all"), follow=True)

        assert Notification.objects.filter(recipient=admin_user, read_at__isnull=True).count() == 0
        other.refresh_from_db()
        assert other.read_at is None
        assert "2 notifications marked as read." in response.content.decode()

    def test_answers_htmx_with_hx_redirect(self, admin_client, admin_user):
        response = admin_client.post(reverse("core:notification-read-all"), HTTP_HX_REQUEST="true")

        assert response.status_code == 200
        assert response["HX-Redirect"] == reverse("core:notification-list")
