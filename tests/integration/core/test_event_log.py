"""The business event log is append-only, enforced by the database itself."""

import pytest
from django.db import DatabaseError, connection, transaction

from erp.core import events
from erp.core.models import BusinessEvent


@pytest.fixture
def event(db, root_organization, admin_user):
    return events.record(verb="core.test.recorded", target=root_organization, actor=admin_user, data={"n": 1})


class TestRecord:
    def test_stores_verb_target_actor_and_organization(self, event, root_organization, admin_user):
        stored = BusinessEvent.objects.get(pk=event.pk)

        assert stored.verb == "core.test.recorded"
        assert (stored.aggregate_type, stored.aggregate_id) == ("core.organization", str(root_organization.pk))
        assert stored.aggregate_repr == root_organization.name
        assert stored.organization == root_organization
        assert stored.actor == admin_user
        assert stored.data == {"n": 1}

    def test_leaves_the_actor_empty_for_anonymous_callers(self, db, root_organization):
        from django.contrib.auth.models import AnonymousUser

        stored = events.record(verb="core.test.anonymous", target=root_organization, actor=AnonymousUser())

        assert stored.actor is None


class TestAppendOnly:
    def test_refuses_an_orm_update(self, event):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            BusinessEvent.objects.filter(pk=event.pk).update(verb="core.test.forged")

        assert BusinessEvent.objects.get(pk=event.pk).verb == "core.test.recorded"

    def test_refuses_saving_a_changed_instance(self, event):
        event.verb = "core.test.forged"

        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            event.save()

    def test_refuses_an_orm_delete(self, event):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            BusinessEvent.objects.filter(pk=event.pk).delete()

        assert BusinessEvent.objects.filter(pk=event.pk).exists()

    def test_refuses_raw_sql_update_delete_and_truncate(self, event):
        statements = [
            ("UPDATE core_businessevent SET verb = 'x' WHERE id = %s", [event.pk]),
            ("DELETE FROM core_businessevent WHERE id = %s", [event.pk]),
            ("TRUNCATE core_businessevent CASCADE", []),
        ]

        for sql, params in statements:
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
                # Fire the test transaction's deferred foreign-key checks, or TRUNCATE refuses for that reason.
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cur.execute(sql, params)

        assert BusinessEvent.objects.filter(pk=event.pk).exists()
