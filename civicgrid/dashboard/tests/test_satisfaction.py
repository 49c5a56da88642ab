"""满意率 on the dashboard, the big screen's data and the Excel export comes from the rating
records: a 不满意 that reopened a case still counts after the case is closed and rated again."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from civicgrid.cases import services
from civicgrid.cases.choices import Rating
from civicgrid.dashboard import figures, rollups
from civicgrid.testing.cases import case_in_state

PERIOD = {"start": "2026-11-01", "end": "2026-11-30"}


@pytest.fixture
def three_closures(users, garbage, clock):
    """Two cases, three closures rated: 不满意 (reopened), then 满意; and 基本满意."""
    reopened = case_in_state("rated", users, cat=garbage, rating=Rating.UNSATISFIED)
    services.do_handle(reopened, users["handler"], result="已再次清理并加装围挡")
    services.do_verify_pass(reopened, users["operator"])
    services.do_rate(reopened, users["resident"], rating=Rating.SATISFIED)
    case_in_state("rated", users, cat=garbage, rating=Rating.BASICALLY)


def test_dashboard_figures_count_every_closure(users, three_closures):
    scope = figures.resolve_scope(users["leader"], None)
    data = figures.dashboard(scope, datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
    assert data["kpi"]["satisfaction_rate"] == 66.7
    # The rollups kept step by step agree with a rebuild from the cases.
    rollups.rebuild()
    again = figures.dashboard(scope, datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
    assert again["kpi"]["satisfaction_rate"] == 66.7


def test_dashboard_page_and_screen_data_show_it(users, three_closures, client):
    client.force_login(users["leader"])
    page = client.get(reverse("dashboard:index"), PERIOD)
    assert page.status_code == 200
    assert 'id="kpi-satisfaction">66.7%<' in page.content.decode()
    data = client.get(reverse("dashboard:data"), PERIOD)
    assert data.status_code == 200
    assert data.json()["kpi"]["satisfaction_rate"] == 66.7


def test_export_has_the_same_rate(users, three_closures, client):
    client.force_login(users["leader"])
    response = client.get(reverse("dashboard:export"), PERIOD)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    street = list(book["街镇"].iter_rows(values_only=True))
    row = dict(zip(street[1], street[2], strict=True))
    assert (row["评价数"], row["满意数"], row["满意率（%）"]) == (3, 2, 66.7)
