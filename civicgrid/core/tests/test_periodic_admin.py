"""The periodic runs in the back office: the keeper reads them, filters them, and can change none."""

import datetime

import pytest
from django.urls import reverse

from civicgrid.accounts.choices import Role
from civicgrid.core.models import PeriodicRun
from civicgrid.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 12, 2, 8, 0, tzinfo=datetime.UTC)
LIST = reverse("admin:core_periodicrun_changelist")


@pytest.fixture
def runs():
    ok = PeriodicRun.objects.create(
        job="case_deadlines",
        period_start=T0,
        node="node-a:101",
        started_at=T0,
        finished_at=T0 + datetime.timedelta(seconds=2),
        outcome="ok {'yellow': 3}",
    )
    failed = PeriodicRun.objects.create(
        job="outbox_sweep",
        period_start=T0,
        node="node-b:202",
        started_at=T0,
        finished_at=T0 + datetime.timedelta(seconds=1),
        outcome="RuntimeError: boom",
    )
    dead = PeriodicRun.objects.create(
        job="case_deadlines",
        period_start=T0 + datetime.timedelta(minutes=1),
        node="node-b:202",
        started_at=T0 + datetime.timedelta(minutes=1),
    )
    return {"ok": ok, "failed": failed, "dead": dead}


@pytest.fixture
def keeper(client):
    user = UserFactory(username="keeper", role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def listed(response):
    assert response.status_code == 200
    return {run.pk for run in response.context["cl"].result_list}


def test_the_keeper_lists_and_filters_the_runs(runs, keeper, client):
    assert listed(client.get(LIST)) == {r.pk for r in runs.values()}
    assert listed(client.get(LIST, {"job": "case_deadlines"})) == {runs["ok"].pk, runs["dead"].pk}
    assert listed(client.get(LIST, {"outcome": "ok"})) == {runs["ok"].pk}
    assert listed(client.get(LIST, {"outcome": "failed"})) == {runs["failed"].pk}
    assert listed(client.get(LIST, {"outcome": "unfinished"})) == {runs["dead"].pk}
    page = client.get(LIST).content.decode()
    assert "node-b:202" in page and "RuntimeError: boom" in page


def test_job_filter_offers_every_configured_job_before_any_run(keeper, client, settings):
    response = client.get(LIST)
    spec = next(s for s in response.context["cl"].filter_specs if s.parameter_name == "job")
    offered = {c["display"] for c in spec.choices(response.context["cl"])}
    assert set(settings.CIVICGRID_PERIODIC_JOBS) <= offered


def test_runs_are_read_only(runs, keeper, client):
    run = runs["ok"]
    change = reverse("admin:core_periodicrun_change", args=[run.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert 'type="submit"' not in page.content.decode().split('id="content-main"')[1]
    assert client.post(change, {"job": "other", "node": "x"}).status_code == 403
    assert client.get(reverse("admin:core_periodicrun_add")).status_code == 403
    delete = reverse("admin:core_periodicrun_delete", args=[run.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    run.refresh_from_db()
    assert run.job == "case_deadlines"
    assert PeriodicRun.objects.count() == 3


def test_other_back_office_staff_do_not_see_the_runs(runs, client):
    operator = UserFactory(username="desk", role=Role.OPERATOR, is_staff=True)
    client.force_login(operator)
    assert client.get(LIST).status_code == 403
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert "core_periodicrun" not in index.content.decode()
