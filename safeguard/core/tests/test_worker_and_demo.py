import pytest
from django.core.management import call_command
from django.utils import timezone

from safeguard.accounts.models import User
from safeguard.core.management.commands.run_worker import worker_heartbeat
from safeguard.core.roles import Role
from safeguard.partnerships.models import Group, Partnership, Person, RoleAssignment

pytestmark = pytest.mark.django_db


def test_heartbeat_makes_healthz_healthy(client):
    assert client.get("/healthz").status_code == 503
    worker_heartbeat(worker_id="host-1-abc", started=timezone.now())
    worker_heartbeat(worker_id="host-1-abc", started=timezone.now())
    assert client.get("/healthz").status_code == 200


def test_demo_data_is_realistic_and_loading_it_twice_adds_nothing(capsys):
    call_command("load_demo_data")
    counts = (Partnership.objects.count(), Person.objects.count(), User.objects.count(), RoleAssignment.objects.count())
    call_command("load_demo_data")
    assert (
        Partnership.objects.count(),
        Person.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
    ) == counts
    assert counts[0] == 2
    for partnership in Partnership.objects.all():
        assert Person.objects.filter(partnership=partnership).count() >= 40
        assert Group.objects.filter(partnership=partnership, kind="board").count() == 1
        assert 4 <= Group.objects.filter(partnership=partnership, kind="subgroup").count() <= 6
        roles = set(RoleAssignment.objects.filter(partnership=partnership).values_list("role", flat=True))
        assert roles == set(Role.values)
    out = capsys.readouterr().out
    assert "manager@northdale.example" in out
    assert "already present, nothing added" in out


def test_demo_manual_has_60_chapters_and_a_future_release():
    from safeguard.procedures.models import Chapter, Release

    call_command("load_demo_data", quiet_logins=True)
    assert Chapter.objects.count() >= 60
    statuses = sorted(Release.objects.values_list("status", flat=True))
    assert statuses == ["published", "published", "scheduled"]
    assert Release.objects.get(status="scheduled").go_live_on > timezone.localdate()
