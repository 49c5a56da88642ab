"""The desk's surfaces: the prediction and suggestion API, one-click acceptance and correction
(API and console case page), the 权责清单 list, the admin's comparison and activation, and the
evaluation command on a labelled file the test writes (CSV and XLSX, any labels)."""

import csv
import random

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from civicgrid.cases.choices import CaseStatus
from civicgrid.dispatch import corpus, services
from civicgrid.dispatch.choices import Outcome
from civicgrid.dispatch.models import Suggestion, TrainedModel
from civicgrid.dispatch.tests.conftest import FLYING_WIRE
from civicgrid.testing.cases import report

pytestmark = pytest.mark.django_db


@pytest.fixture
def reported(active, users, garbage, categories, departments, django_capture_on_commit_callbacks):
    services.do_set_responsibility(
        users["chief"], category=categories["community:0103"], department=departments["fg"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        return report(users["worker"], garbage, description=FLYING_WIRE)


def test_predict_api_says_category_confidence_top_three_reason_and_department(
    reported, api, users, categories, departments
):
    response = api(users["operator"]).post(
        "/api/dispatch/predict/", {"description": FLYING_WIRE}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["category"] == categories["community:0103"].pk
    assert body["department"] == departments["fg"].pk and body["department_name"] == "房管办"
    assert len(body["alternatives"]) == 3 and body["reasons"]
    assert (
        api(users["handler"])
        .post("/api/dispatch/predict/", {"description": "路灯"}, format="json")
        .status_code
        == 403
    )
    assert (
        api(users["operator"]).post("/api/dispatch/predict/", {}, format="json").status_code == 400
    )


def test_predict_api_without_a_model_is_404(users, api):
    response = api(users["operator"]).post(
        "/api/dispatch/predict/", {"description": "路灯不亮"}, format="json"
    )
    assert response.status_code == 404


def test_accepting_through_the_api_files_and_dispatches_and_records(
    reported, api, users, categories, departments
):
    url = f"/api/dispatch/cases/{reported.pk}/suggestion/"
    assert api(users["operator"]).get(url).json()["outcome"] == "pending"
    response = api(users["operator"]).post(
        f"/api/dispatch/cases/{reported.pk}/accept/", {}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["outcome"], response.json()["is_correct"]) == ("accepted", True)
    reported.refresh_from_db()
    assert reported.status == CaseStatus.DISPATCHED
    assert reported.category == categories["community:0103"]
    assert reported.assigned_department == departments["fg"]
    again = api(users["operator"]).post(
        f"/api/dispatch/cases/{reported.pk}/accept/", {}, format="json"
    )
    assert again.status_code == 400
    assert api(users["handler"]).get(url).status_code == 403


def test_correcting_through_the_api_records_a_wrong_suggestion(
    reported, api, users, categories, departments
):
    clutter = categories["community:0101"]
    response = api(users["operator"]).post(
        f"/api/dispatch/cases/{reported.pk}/accept/",
        {"category": clutter.pk, "department": departments["cg"].pk},
        format="json",
    )
    assert response.status_code == 200
    suggestion = Suggestion.objects.get(case=reported)
    assert (suggestion.outcome, suggestion.is_correct) == (Outcome.CORRECTED, False)
    reported.refresh_from_db()
    assert (reported.category, reported.assigned_department) == (clutter, departments["cg"])
    bad = api(users["operator"]).post(
        f"/api/dispatch/cases/{reported.pk}/accept/", {"category": "x"}, format="json"
    )
    assert bad.status_code == 400


def test_responsibility_list_api(reported, api, users):
    response = api(users["operator"]).get("/api/dispatch/responsibilities/")
    assert response.status_code == 200
    assert [r["department_name"] for r in response.json()["results"]] == ["房管办"]


def test_the_console_case_page_offers_the_suggestion_and_accepts_it(
    reported, client_for, users, departments
):
    client = client_for(users["operator"])
    page = client.get(reverse("console:case", args=[reported.number]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="dispatch-suggestion"' in html and "飞线充电" in html and "房管办" in html
    response = client.post(reverse("dispatch:accept", args=[reported.number]))
    assert response.status_code == 302
    reported.refresh_from_db()
    assert reported.status == CaseStatus.DISPATCHED
    assert Suggestion.objects.get(case=reported).decided_by == users["operator"]
    after = client.get(reverse("console:case", args=[reported.number])).content.decode()
    assert 'id="dispatch-suggestion"' not in after
    # A handler neither sees the panel nor may accept.
    assert (
        client_for(users["handler"])
        .post(reverse("dispatch:accept", args=[reported.number]))
        .status_code
        == 403
    )


def test_the_admin_compares_models_and_activates_one(active, users, client_for):
    older = TrainedModel.objects.create(
        **{
            f.name: getattr(active, f.name)
            for f in TrainedModel._meta.concrete_fields
            if f.name not in ("id", "is_active")
        }
    )
    client = client_for(users["admin"])
    changelist = reverse("admin:dispatch_trainedmodel_changelist")
    assert client.get(changelist).status_code == 200
    compare = client.post(
        changelist, {"action": "compare", "_selected_action": [active.pk, older.pk]}
    )
    assert compare.status_code == 200 and "派单模型对比" in compare.content.decode()
    client.post(changelist, {"action": "activate", "_selected_action": [older.pk]})
    assert list(TrainedModel.objects.filter(is_active=True)) == [older]
    assert client_for(users["operator"]).post(
        changelist, {"action": "activate", "_selected_action": [active.pk]}
    ).status_code in (302, 403)
    assert list(TrainedModel.objects.filter(is_active=True)) == [older]


def _labelled(per=12):
    rng = random.Random(3)
    names = {
        ("event", "0505"): "交通",
        ("community", "0105"): "水务",
        ("component", "0110"): "照明",
    }
    return [(corpus.compose(rng, f, c), name) for (f, c), name in names.items() for _ in range(per)]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_the_evaluation_command_on_a_csv_with_any_labels(encoding, tmp_path, capsys):
    """In UTF-8, and in GBK as Excel on a Chinese Windows saves “CSV”."""
    path = tmp_path / "labelled.csv"
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["留言主题", "留言详情", "一级分类"])
        for r, name in _labelled():
            writer.writerow([r.title, r.text, name])
    call_command(
        "evaluate_dispatch",
        csv=str(path),
        text_columns="留言主题,留言详情",
        label_column="一级分类",
        folds=3,
        baseline=True,
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1].startswith("dispatch_top1=")
    assert float(lines[-1].split("=")[1]) >= 0.9
    text = "\n".join(lines)
    assert "top-2:" in text and "routed share" in text and "baseline" in text
    assert {"交通", "水务", "照明"} <= {
        line.split("\t")[0].strip() for line in lines if "\t" in line
    }


def test_the_evaluation_command_reads_xlsx_and_refuses_bad_input(tmp_path, capsys):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["text", "label"])
    for r, name in _labelled(8):
        sheet.append([r.text, name])
    path = tmp_path / "labelled.xlsx"
    book.save(path)
    call_command(
        "evaluate_dispatch", csv=str(path), text_columns="text", label_column="label", folds=2
    )
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("dispatch_top1=")
    with pytest.raises(CommandError, match="columns not in the file"):
        call_command("evaluate_dispatch", csv=str(path), text_columns="正文", label_column="label")
    with pytest.raises(CommandError, match="no such file"):
        call_command(
            "evaluate_dispatch", csv=str(tmp_path / "x.csv"), text_columns="a", label_column="b"
        )
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(CommandError, match="无法读取Excel文件"):
        call_command("evaluate_dispatch", csv=str(broken), text_columns="a", label_column="b")


def test_the_benchmark_runs(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    done = subprocess.run(
        [
            sys.executable,
            str(root / "bench" / "dispatch.py"),
            "--reports",
            "300",
            "--predictions",
            "20",
            "--unseen",
            "4",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    lines = done.stdout.strip().splitlines()
    assert lines[-1].startswith("dispatch_predictions_per_s=")
    assert any(line.startswith("dispatch_predictions_ratio_vs_alternative=") for line in lines)
