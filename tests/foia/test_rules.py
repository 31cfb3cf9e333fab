"""Rules and holidays are data: an admin edit recomputes the open requests they
govern, and the change shows on each request's timeline."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from foia import services, tasks
from foia.models import Holiday, Jurisdiction, Status
from tests.foia.builders import RESPONSE_DUE, events

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _inline_and_form_data(response) -> dict:
    """The POST data a browser would send back for an unchanged admin change form."""
    data = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if isinstance(value, dict | list):
            value = json.dumps(value)
        data[name] = "" if value is None else value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = management.initial.get(name, 0)
        for item in formset.forms:
            for name, field in item.fields.items():
                value = item.initial.get(name, field.initial)
                if hasattr(value, "pk"):
                    value = value.pk
                data[f"{item.prefix}-{name}"] = "" if value is None else value
    return {k: v for k, v in data.items() if v is not False}


def test_adding_a_holiday_in_the_admin_recomputes_open_requests(
    admin_client, file_request, reporter, django_capture_on_commit_callbacks
):
    open_request = file_request(title="open")
    done = file_request(title="done")
    services.request_transition(
        actor=reporter, request=done, to=Status.DONE, on=date(2025, 3, 20)
    )
    us = Jurisdiction.objects.get(code="US")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/foia/holiday/add/",
            {
                "jurisdiction": us.pk,
                "name": "Federal snow day",
                "kind": "fixed",
                "month": 3,
                "day": 14,
                "offset_days": 0,
                "every_n_years": 1,
                "observed": "none",
            },
        )

    assert response.status_code == 302
    open_request.refresh_from_db()
    done.refresh_from_db()
    # Friday 2025-03-14 is no longer a working day: one day later.
    assert open_request.response_due == date(2025, 4, 1)
    assert done.response_due == RESPONSE_DUE  # finished: left alone
    moved = events(open_request, "deadline")[-1]
    assert "Response due: 2025-03-31 → 2025-04-01" in moved.message
    assert "the rules of US changed" in moved.message


def test_deleting_that_holiday_moves_the_date_back(
    admin_client, file_request, django_capture_on_commit_callbacks
):
    us = Jurisdiction.objects.get(code="US")
    snow = Holiday.objects.create(
        jurisdiction=us, name="Snow day", kind="fixed", month=3, day=14
    )
    request = file_request()
    assert request.response_due == date(2025, 4, 1)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/foia/holiday/{snow.pk}/delete/", {"post": "yes"}
        )

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.response_due == RESPONSE_DUE


def test_editing_the_rule_in_the_admin_recomputes(
    admin_client, file_request, django_capture_on_commit_callbacks
):
    request = file_request()
    us = Jurisdiction.objects.get(code="US")
    holidays = us.holidays.count()
    url = f"/admin/foia/jurisdiction/{us.pk}/change/"
    data = _inline_and_form_data(admin_client.get(url))
    data["response_days"] = 25

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    request.refresh_from_db()
    assert request.response_due == date(2025, 4, 7)
    assert us.holidays.count() == holidays  # the inline holidays came back unchanged


def test_the_admin_refuses_a_holiday_the_engine_cannot_use(
    admin_client, django_capture_on_commit_callbacks
):
    us = Jurisdiction.objects.get(code="US")
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(
            "/admin/foia/holiday/add/",
            {
                "jurisdiction": us.pk,
                "name": "Half a rule",
                "kind": "nth_weekday",
                "month": 5,
                "offset_days": 0,
                "every_n_years": 1,
                "observed": "none",
            },
        )
    assert response.status_code == 200
    assert "nth_weekday needs month, weekday and n" in response.content.decode()
    assert callbacks == []


def test_the_task_is_quiet_when_the_jurisdiction_is_gone(file_request):
    assert tasks.jurisdiction_rules_changed(999_999) == 0


def test_the_task_is_safe_to_run_twice(file_request, admin_user):
    request = file_request()
    us = Jurisdiction.objects.get(code="US")
    us.response_days = 21
    us.save()

    assert tasks.jurisdiction_rules_changed(us.pk, admin_user.pk) == 1
    assert tasks.jurisdiction_rules_changed(us.pk, admin_user.pk) == 0
    assert events(request, "deadline")[-1].actor == admin_user


def test_load_jurisdictions_restores_the_data_file(file_request):
    request = file_request()
    us = Jurisdiction.objects.get(code="US")
    holidays = us.holidays.count()
    us.response_days = 30
    us.save()
    Holiday.objects.filter(jurisdiction=us).delete()
    services.request_recompute_deadlines(request=request)
    assert request.response_due != RESPONSE_DUE

    call_command("load_jurisdictions", stdout=StringIO())

    us.refresh_from_db()
    assert us.response_days == 20 and us.holidays.count() == holidays
    request.refresh_from_db()
    assert request.response_due == RESPONSE_DUE


def test_a_date_edited_on_the_request_in_the_admin_recomputes(
    admin_client, file_request
):
    request = file_request()
    url = f"/admin/foia/foiarequest/{request.pk}/change/"
    data = _inline_and_form_data(admin_client.get(url))
    data["received_on"] = "2025-03-10"
    data["collaborators"] = []
    data["tags"] = []

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    request.refresh_from_db()
    assert request.response_due == date(2025, 4, 7)
    assert "edited in the admin" in events(request, "deadline")[-1].message
