import pytest
from auditlog.models import LogEntry
from django.db import DatabaseError, connection, transaction

from safeguard.audit.models import AccessLog
from safeguard.audit.services import access_log_record
from safeguard.core.testing import AgencyFactory
from safeguard.partnerships import services

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def change(cast):
    agency = AgencyFactory(partnership=cast.partnership, name="Before")
    services.agency_update(agency=agency, by=cast.manager, expected_version=1, name="After")
    return LogEntry.objects.get_for_object(agency).filter(action=LogEntry.Action.UPDATE).get()


def test_a_change_is_logged_with_who_what_and_the_partnership(cast, change):
    assert change.changes_dict["name"] == ["Before", "After"]
    assert change.additional_data["partnership_id"] == cast.partnership.pk


@pytest.mark.parametrize("table", ["auditlog_logentry", "audit_accesslog"])
def test_the_database_refuses_to_update_or_delete_audit_rows(cast, change, table):
    access_log_record(user=cast.manager, obj=cast.partnership, action="view")
    for statement in (f"UPDATE {table} SET object_pk = 'tampered'", f"DELETE FROM {table}"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert LogEntry.objects.exists() and AccessLog.objects.exists()


def test_the_orm_cannot_delete_audit_rows_either(cast, change):
    with pytest.raises(DatabaseError), transaction.atomic():
        LogEntry.objects.all().delete()


def test_business_manager_sees_changes_of_their_partnership_only(client, cast, change):
    foreign = AgencyFactory(partnership=cast.other_partnership, name="Foreign before")
    services.agency_update(agency=foreign, by=cast.other_manager, expected_version=1, name="Foreign after")
    client.force_login(cast.manager)
    body = client.get("/workspace/audit/").content.decode()
    assert "After" in body
    assert "Foreign after" not in body


def test_audit_log_filters_by_person_and_action(client, cast, change):
    client.force_login(cast.manager)
    assert "After" in client.get("/workspace/audit/?person=manager&action=1").content.decode()
    assert "After" not in client.get("/workspace/audit/?person=nobody-like-this").content.decode()


def test_access_log_viewer_lists_who_viewed_what(client, cast):
    agency = AgencyFactory(partnership=cast.partnership, name="Viewed agency")
    client.force_login(cast.officer)
    client.get(agency.get_absolute_url())
    client.force_login(cast.manager)
    body = client.get(f"/workspace/audit/access/?object_id={agency.pk}").content.decode()
    assert "Viewed agency" in body


@pytest.mark.parametrize("who", ["officer", "board_member", "read_only"])
def test_only_business_managers_open_the_audit_log(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get("/workspace/audit/").status_code == 403
