"""Workspace pages: the calculator, closure days (list, add, remove), forms that keep input,
another partnership's closures hidden, query counts that do not grow."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safeguard.workdays.models import ClosureDay
from safeguard.workdays.testing import ClosureDayFactory

D = dt.date


def test_the_calculator_finds_the_icpc_deadline(client, cast):
    client.force_login(cast.read_only)
    page = client.get(reverse("workdays:calculator"), {"add-start": "2024-12-20", "add-days": "15"})
    assert page.status_code == 200
    assert "Wednesday 15 January 2025" in page.content.decode()
    assert "bank holidays only" in page.content.decode()


def test_the_calculator_counts_with_the_partnerships_closures(client, cast):
    ClosureDayFactory(partnership=cast.partnership, date=D(2024, 12, 24))
    client.force_login(cast.manager)
    params = {"count-start": "2024-12-20", "count-end": "2025-01-15", "count-partnership": cast.partnership.pk}
    page = client.get(reverse("workdays:calculator"), params)
    assert "14 working days" in page.content.decode()


def test_the_calculator_keeps_input_and_explains_bad_dates(client, cast):
    client.force_login(cast.manager)
    page = client.get(reverse("workdays:calculator"), {"add-start": "2040-12-20", "add-days": "30"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "after Monday 31 December 2040" in body
    assert 'value="2040-12-20"' in body and 'value="30"' in body
    page = client.get(reverse("workdays:calculator"), {"count-start": "31/02/2024", "count-end": "2025-01-15"})
    body = page.content.decode()
    assert "Enter a valid date" in body and 'value="31/02/2024"' in body
    page = client.get(reverse("workdays:calculator"), {"count-start": "20/12/2024", "count-end": "1999-01-01"})
    assert "Friday 1 January 1999 is outside the working-day calendar" in page.content.decode()


def test_the_calculator_offers_only_the_users_partnerships(client, cast):
    client.force_login(cast.manager)
    params = {"count-start": "2024-12-20", "count-end": "2025-01-15", "count-partnership": cast.other_partnership.pk}
    body = client.get(reverse("workdays:calculator"), params).content.decode()
    assert cast.other_partnership.name not in body
    assert "Select a valid choice" in body


def test_the_closure_list_shows_only_the_users_partnerships(client, cast):
    ClosureDayFactory(partnership=cast.partnership, date=D(2025, 1, 2), reason="Northdale closed")
    ClosureDayFactory(partnership=cast.other_partnership, date=D(2025, 1, 3), reason="Southvale closed")
    client.force_login(cast.read_only)
    body = client.get(reverse("workdays:closure_list")).content.decode()
    assert "Northdale closed" in body and "Southvale closed" not in body
    assert "Add a closure day" not in body and "Remove" not in body


def test_the_closure_list_runs_a_constant_number_of_queries(client, cast):
    client.force_login(cast.manager)
    url = reverse("workdays:closure_list")
    ClosureDayFactory(partnership=cast.partnership, date=D(2025, 1, 2))
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for day in range(6, 11):
        ClosureDayFactory(partnership=cast.partnership, date=D(2025, 1, day))
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert page.context["page_obj"].paginator.count == 6
    assert len(many) == len(few)


def test_a_manager_adds_a_closure_day(client, cast):
    client.force_login(cast.manager)
    response = client.post(
        reverse("workdays:closure_add"),
        {"partnership": cast.partnership.pk, "date": "2024-12-24", "reason": "Christmas Eve"},
    )
    closure = ClosureDay.objects.get()
    assert response.status_code == 302
    assert response["Location"] == closure.get_absolute_url()
    assert (closure.partnership, closure.date, closure.updated_by) == (cast.partnership, D(2024, 12, 24), cast.manager)


def test_the_add_form_keeps_input_and_says_how_to_fix_it(client, cast):
    client.force_login(cast.manager)
    response = client.post(
        reverse("workdays:closure_add"),
        {"partnership": cast.partnership.pk, "date": "2024-12-25", "reason": "Christmas closure"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "not a working day anyway (Christmas Day)" in body
    assert 'value="Christmas closure"' in body and 'value="2024-12-25"' in body
    assert not ClosureDay.objects.exists()


def test_the_add_form_offers_only_partnerships_the_user_manages(client, cast):
    client.force_login(cast.manager)
    response = client.post(
        reverse("workdays:closure_add"),
        {"partnership": cast.other_partnership.pk, "date": "2025-01-02", "reason": "Closed"},
    )
    assert "Select a valid choice" in response.content.decode()
    assert not ClosureDay.objects.exists()


def test_a_manager_removes_a_closure_day(client, cast):
    closure = ClosureDayFactory(partnership=cast.partnership)
    client.force_login(cast.officer)
    url = reverse("workdays:closure_remove", args=[closure.pk])
    assert "Remove the closure on Thursday 2 January 2025?" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302
    assert not ClosureDay.objects.exists()


def test_another_partnerships_user_gets_404_on_closure_pages(client, cast):
    closure = ClosureDayFactory(partnership=cast.partnership)
    client.force_login(cast.other_manager)
    url = reverse("workdays:closure_remove", args=[closure.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert ClosureDay.objects.filter(pk=closure.pk).exists()


def test_read_only_users_cannot_add_or_remove(client, cast):
    closure = ClosureDayFactory(partnership=cast.partnership)
    client.force_login(cast.read_only)
    assert client.get(reverse("workdays:closure_add")).status_code == 403
    assert client.post(reverse("workdays:closure_remove", args=[closure.pk])).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, cast):
    for name in ("workdays:calculator", "workdays:closure_list", "workdays:closure_add"):
        assert client.get(reverse(name))["Location"].startswith("/accounts/login/")
