"""Smart dispatch in the case loop: a report gets its suggestion after its commit, the 权责清单
routes the category, auto-dispatch is off until the street turns it on (per category, above its
threshold), the desk's decision is recorded whoever files the case, and training stores a model
with what it saw."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from civicgrid.cases import services as case_services
from civicgrid.cases.choices import CaseStatus
from civicgrid.cases.models import CaseEvent
from civicgrid.dispatch import corpus, services
from civicgrid.dispatch.choices import LogAction, Outcome
from civicgrid.dispatch.models import DispatchLog, Responsibility, Suggestion, TrainedModel
from civicgrid.dispatch.tests.conftest import FLYING_WIRE, KEYS
from civicgrid.testing.cases import report

pytestmark = pytest.mark.django_db


def _report(users, garbage, capture, text=FLYING_WIRE):
    with capture(execute=True):
        return report(users["worker"], garbage, description=text)


def test_a_report_gets_its_suggestion_and_stays_with_the_desk(
    active, users, garbage, categories, departments, django_capture_on_commit_callbacks
):
    wire = categories["community:0103"]
    services.do_set_responsibility(users["chief"], category=wire, department=departments["fg"])
    case = _report(users, garbage, django_capture_on_commit_callbacks)
    suggestion = Suggestion.objects.get(case=case)
    assert suggestion.category == wire and suggestion.model == active
    assert suggestion.department == departments["fg"]
    assert len(suggestion.alternatives) == 3 and suggestion.alternatives[0]["name"] == wire.name
    assert suggestion.reasons and suggestion.outcome == Outcome.PENDING
    case.refresh_from_db()
    # Auto-dispatch is off by default: the report waits for 立案 with the category it came with.
    assert case.status == CaseStatus.REPORTED and case.category == garbage
    assert DispatchLog.objects.filter(action=LogAction.SUGGEST, case=case).count() == 1
    # A repeated task writes nothing more.
    assert services.do_suggest(case.pk).pk == suggestion.pk
    assert Suggestion.objects.filter(case=case).count() == 1


def test_no_active_model_no_suggestion(users, garbage, django_capture_on_commit_callbacks):
    case = _report(users, garbage, django_capture_on_commit_callbacks)
    assert not Suggestion.objects.filter(case=case).exists()


def test_the_responsibility_list_routes_by_area_then_street_then_default(
    users, tree, categories, departments
):
    wire = categories["community:0103"]
    micro = tree["micro_grids"][0]
    assert services.route(wire, micro.pk) is None
    wire.default_department = departments["cg"]
    wire.save()
    assert services.route(wire, micro.pk) == departments["cg"]
    services.do_set_responsibility(users["chief"], category=wire, department=departments["fg"])
    assert services.route(wire, micro.pk) == departments["fg"]
    services.do_set_responsibility(
        users["admin"], category=wire, department=departments["sw"], area=tree["area"]
    )
    assert services.route(wire, micro.pk) == departments["sw"]  # the 片区's own row
    assert services.route(wire, None) == departments["fg"]  # no place: the street's row
    # Changing a row keeps one row per (category, 片区); every change is history.
    services.do_set_responsibility(users["chief"], category=wire, department=departments["cg"])
    assert Responsibility.objects.filter(category=wire).count() == 2
    assert DispatchLog.objects.filter(action=LogAction.SET_RESPONSIBILITY).count() == 3
    with pytest.raises(PermissionDenied):
        services.do_set_responsibility(
            users["operator"], category=wire, department=departments["fg"]
        )
    with pytest.raises(ValidationError) as err:
        services.do_set_responsibility(
            users["chief"], category=wire, department=departments["fg"], area=tree["communities"][0]
        )
    assert "area" in err.value.error_dict
    assert Responsibility.objects.filter(category=wire).count() == 2


def test_auto_dispatch_per_category_above_its_threshold(
    active, users, garbage, categories, departments, django_capture_on_commit_callbacks
):
    wire = categories["community:0103"]
    services.do_set_responsibility(users["chief"], category=wire, department=departments["fg"])
    # On, but the threshold is above any confidence the model gives: the desk keeps it.
    services.do_set_rule(users["chief"], category=wire, enabled=True, threshold=1.0)
    kept = _report(users, garbage, django_capture_on_commit_callbacks)
    kept.refresh_from_db()
    assert kept.status == CaseStatus.REPORTED
    assert Suggestion.objects.get(case=kept).outcome == Outcome.PENDING
    # Another category's rule does not apply to this one.
    services.do_set_rule(users["chief"], category=garbage, enabled=True, threshold=0.0)
    services.do_set_rule(users["chief"], category=wire, enabled=True, threshold=0.05)
    case = _report(users, garbage, django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED
    assert (case.category, case.assigned_department) == (wire, departments["fg"])
    suggestion = Suggestion.objects.get(case=case)
    assert suggestion.outcome == Outcome.AUTO
    steps = list(CaseEvent.objects.filter(case=case).order_by("pk"))
    assert [e.action for e in steps] == ["report", "file", "dispatch"]
    assert steps[1].actor is None and "智能派单自动立案派遣" in steps[1].note
    assert services.figures() == {
        "total": 2,
        "accepted": 0,
        "corrected": 0,
        "auto": 1,
        "pending": 1,
        "accuracy": None,
    }
    # Off again: the next report waits for the desk.
    services.do_set_rule(users["chief"], category=wire, enabled=False)
    again = _report(users, garbage, django_capture_on_commit_callbacks)
    again.refresh_from_db()
    assert again.status == CaseStatus.REPORTED


def test_a_rule_refuses_a_bad_threshold_and_a_non_setup_role(users, categories):
    wire = categories["community:0103"]
    for bad in ("abc", 1.5, -0.1, float("nan")):
        with pytest.raises(ValidationError) as err:
            services.do_set_rule(users["chief"], category=wire, enabled=True, threshold=bad)
        assert "threshold" in err.value.error_dict
    with pytest.raises(PermissionDenied):
        services.do_set_rule(users["operator"], category=wire, enabled=True)
    rule = services.do_set_rule(users["chief"], category=wire, enabled=True)
    assert rule.threshold == 0.95  # CIVICGRID_DISPATCH_AUTO_THRESHOLD


def test_filing_on_any_surface_records_whether_the_suggestion_was_right(
    active, users, garbage, categories, django_capture_on_commit_callbacks
):
    first = _report(users, garbage, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        case_services.do_file(first, users["operator"], category=categories["community:0101"].pk)
    wrong = Suggestion.objects.get(case=first)
    assert (wrong.outcome, wrong.is_correct, wrong.decided_by) == (
        Outcome.CORRECTED,
        False,
        users["operator"],
    )
    assert wrong.final_category == categories["community:0101"]
    second = _report(users, garbage, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        case_services.do_file(second, users["operator"], category=categories["community:0103"].pk)
    right = Suggestion.objects.get(case=second)
    assert (right.outcome, right.is_correct) == (Outcome.ACCEPTED, True)
    assert services.figures()["accuracy"] == 0.5


def test_training_stores_metrics_versions_and_the_data_and_activates(users, categories):
    reports = [
        corpus.compose(__import__("random").Random(i), f, c) for i, (f, c) in enumerate(KEYS * 8)
    ]
    labels = [str(categories[r.label].pk) for r in reports]
    first = services.do_train(
        users["chief"], data=([r.title for r in reports], [r.text for r in reports], labels)
    )
    assert first.is_active and first.sample_count == 48
    assert set(first.labels) == {str(c.pk) for c in categories.values()}
    assert set(first.metrics["per_class"]) == set(first.labels)
    assert len(first.metrics["confusion"]) == 6 and first.metrics["test_count"] == 10
    assert sum(map(sum, first.metrics["confusion"])) == 10
    assert 0 <= first.accuracy <= first.top2_accuracy <= 1
    assert {"scikit-learn", "numpy", "jieba"} <= set(first.libraries)
    assert len(first.data_hash) == 64
    second = services.do_train(
        None, data=([r.title for r in reports], [r.text for r in reports], labels)
    )
    assert second.data_hash == first.data_hash
    assert list(TrainedModel.objects.filter(is_active=True)) == [second]
    services.do_activate(users["admin"], first)
    assert list(TrainedModel.objects.filter(is_active=True)) == [first]
    with pytest.raises(PermissionDenied):
        services.do_activate(users["operator"], second)


def test_training_on_too_few_closed_cases_says_so(users, garbage):
    with pytest.raises(ValidationError):
        services.do_train(None)
    with pytest.raises(CommandError, match="不足"):
        call_command("train_dispatch")
    assert services.retrain_monthly().startswith("可用于训练的已结案件不足")
    assert not TrainedModel.objects.exists()


def test_training_data_is_the_closed_cases_final_category(users, garbage, categories):
    from civicgrid.testing.cases import case_in_state

    closed = case_in_state("closed", users, cat=garbage)
    case_in_state("dispatched", users, cat=garbage)
    titles, texts, labels, first, last = services.training_data()
    assert labels == [str(garbage.pk)] and first == last == closed.reported_at
    assert services.title_and_text("路灯不亮\n秀沿路0弄的路灯坏了好几天") == (
        "路灯不亮",
        "秀沿路0弄的路灯坏了好几天",
    )
    assert services.title_and_text("只有一行") == ("", "只有一行")
