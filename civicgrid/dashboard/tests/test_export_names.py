"""The Excel export names micro-grid rows with their 居村: 第1网格 repeats across 居村."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from civicgrid.cases.models import Category
from civicgrid.dashboard.tests.test_pages import (  # noqa: F401 (fixtures)
    _fixed_now,
    at,
    make_case,
    world,
)
from civicgrid.grids.models import Grid

PERIOD = {"start": "2026-11-01", "end": "2026-11-20"}


@pytest.fixture
def same_names(world):  # noqa: F811
    for grid in world["tree"]["micro_grids"]:
        Grid.objects.filter(pk=grid.pk).update(name=f"第{grid.number}网格")
    return world


def sheet_names(response, title):
    book = load_workbook(io.BytesIO(response.content))
    return [(r[0], r[1]) for r in list(book[title].iter_rows(values_only=True))[2:]]


def test_micro_grid_rows_carry_their_community(same_names, client):
    client.force_login(same_names["users"]["leader"])
    response = client.get(reverse("dashboard:export"), PERIOD)
    assert response.status_code == 200
    mgs = same_names["tree"]["micro_grids"]
    assert sheet_names(response, "微网格") == [
        (mgs[0].code, "第1居委 · 第1网格"),
        (mgs[1].code, "第1居委 · 第2网格"),
        (mgs[3].code, "第2居委 · 第2网格"),
    ]
    # the 居村 sheet keeps the 居村's own names
    assert [name for _code, name in sheet_names(response, "居村")] == ["第1居委", "第2居委"]


def test_community_staff_export_names_their_micro_grids(same_names, client):
    client.force_login(same_names["users"]["community"])
    response = client.get(reverse("dashboard:export"), PERIOD)
    assert response.status_code == 200
    assert [name for _code, name in sheet_names(response, "微网格")] == [
        "第1居委 · 第1网格",
        "第1居委 · 第2网格",
    ]


def test_naming_costs_the_same_queries_for_more_rows(same_names, client):
    client.force_login(same_names["users"]["leader"])
    url = reverse("dashboard:export")
    client.get(url, PERIOD)  # warm the session

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, PERIOD)
        assert response.status_code == 200
        return len(ctx), response

    before, _response = queries()
    garbage = Category.objects.get(family="event", code="0102")
    make_case(
        garbage,
        same_names["tree"]["micro_grids"][2],
        day=6,
        status="closed",
        dept=same_names["cg"],
        handled_at=at(7),
        closed_at=at(7, 12),
    )
    after, response = queries()
    assert after == before
    assert len(sheet_names(response, "微网格")) == 4
    assert "第2居委 · 第1网格" in [name for _code, name in sheet_names(response, "微网格")]
