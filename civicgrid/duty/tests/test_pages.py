"""督办 on the console's case page: the 带班领导 gives one through a form, the handler answers it;
refused input stays on the form with the message next to the field and nothing written."""

import pytest

from civicgrid.duty.choices import SupervisionStatus
from civicgrid.duty.models import Supervision
from civicgrid.testing.cases import case_in_state
from civicgrid.testing.world import local

pytestmark = pytest.mark.django_db


def supervise_url(case):
    return f"/console/case/{case.number}/supervise/"


def answer_url(case, supervision):
    return f"/console/case/{case.number}/supervision/{supervision.pk}/answer/"


GOOD = {"instruction": "今天下班前清运完毕", "deadline": "2026-11-24T17:00"}


def test_the_duty_leader_sees_the_form_and_supervises(users, garbage, client_for, clock, outbox):
    case = case_in_state("dispatched", users, cat=garbage)
    leader = client_for(users["dutyleader"])
    page = leader.get(f"/console/case/{case.number}/").content.decode()
    assert 'id="act-supervise"' in page and f'action="{supervise_url(case)}"' in page

    response = leader.post(supervise_url(case), GOOD, follow=True)
    assert response.redirect_chain == [(f"/console/case/{case.number}/", 302)]
    text = response.content.decode()
    assert "已督办，处置方已收到通知" in text and "今天下班前清运完毕" in text and "待答复" in text
    [supervision] = Supervision.objects.all()
    assert supervision.by == users["dutyleader"] and supervision.case == case
    assert supervision.deadline == local(2026, 11, 24, 17)


@pytest.mark.parametrize("key", ["operator", "chief", "handler", "staff", "leader"])
def test_no_one_else_gets_the_form_or_may_post_it(users, garbage, client_for, clock, key):
    case = case_in_state("dispatched", users, cat=garbage)
    client = client_for(users[key])
    page = client.get(f"/console/case/{case.number}/").content.decode()
    assert 'id="act-supervise"' not in page
    assert client.post(supervise_url(case), GOOD).status_code == 403
    assert not Supervision.objects.exists()


@pytest.mark.parametrize(
    "body, message",
    [
        ({"instruction": "   "}, "该字段是必填项。"),
        ({"deadline": "2026-11-23T09:00"}, "办理时限须晚于现在"),
        ({"deadline": "2027-01-23T09:00"}, "办理时限不能超过30天"),
        ({"deadline": "明天"}, "输入一个有效的日期/时间。"),
    ],
)
def test_refused_input_stays_on_the_form(users, garbage, client_for, clock, body, message):
    case = case_in_state("dispatched", users, cat=garbage)
    response = client_for(users["dutyleader"]).post(supervise_url(case), {**GOOD, **body})
    assert response.status_code == 200
    text = response.content.decode()
    assert message in text and 'role="alert"' in text
    if body.get("instruction") is None:
        assert "今天下班前清运完毕" in text  # what was typed is kept
    assert not Supervision.objects.exists()


def test_a_closed_case_is_not_supervised(users, garbage, client_for, clock):
    case = case_in_state("closed", users, cat=garbage)
    leader = client_for(users["dutyleader"])
    assert 'id="act-supervise"' not in leader.get(f"/console/case/{case.number}/").content.decode()
    response = leader.post(supervise_url(case), GOOD, follow=True)
    assert response.redirect_chain == [(f"/console/case/{case.number}/", 302)]
    assert "不能督办" in response.content.decode()
    assert not Supervision.objects.exists()


def test_an_unknown_case_is_a_404(users, client_for):
    assert (
        client_for(users["dutyleader"]).post("/console/case/2099/supervise/", GOOD).status_code
        == 404
    )


def given(users, garbage, clock):
    from civicgrid.duty import services

    case = case_in_state("dispatched", users, cat=garbage)  # to 城管中队
    supervision = services.do_supervise(
        case, users["dutyleader"], instruction="尽快清运", deadline=local(2026, 11, 24, 17)
    )
    return case, supervision


def test_the_handler_answers_on_the_case_page(users, garbage, client_for, clock):
    case, supervision = given(users, garbage, clock)
    handler = client_for(users["handler"])
    page = handler.get(f"/console/case/{case.number}/").content.decode()
    assert f'action="{answer_url(case, supervision)}"' in page

    field = f"answer-{supervision.pk}-answer"
    response = handler.post(answer_url(case, supervision), {field: "已安排清运"}, follow=True)
    assert response.redirect_chain == [(f"/console/case/{case.number}/", 302)]
    text = response.content.decode()
    assert "督办已答复" in text and "已安排清运" in text and "已答复" in text
    supervision.refresh_from_db()
    assert supervision.status == SupervisionStatus.ANSWERED
    assert supervision.answered_by == users["handler"]
    # Answered once: no form any more, and a second post changes nothing.
    assert f'action="{answer_url(case, supervision)}"' not in text
    again = handler.post(answer_url(case, supervision), {field: "再答一次"}, follow=True)
    assert "该督办已答复" in again.content.decode()
    supervision.refresh_from_db()
    assert supervision.answer == "已安排清运"


def test_an_empty_answer_stays_on_the_form(users, garbage, client_for, clock):
    case, supervision = given(users, garbage, clock)
    field = f"answer-{supervision.pk}-answer"
    response = client_for(users["handler"]).post(answer_url(case, supervision), {field: "  "})
    assert response.status_code == 200 and "该字段是必填项。" in response.content.decode()
    supervision.refresh_from_db()
    assert supervision.status == SupervisionStatus.OPEN and supervision.answer == ""


@pytest.mark.parametrize("key, status", [("handler_fg", 404), ("leader", 403), ("worker2", 404)])
def test_others_may_not_answer(users, garbage, client_for, clock, key, status):
    case, supervision = given(users, garbage, clock)
    client = client_for(users[key])
    field = f"answer-{supervision.pk}-answer"
    assert client.post(answer_url(case, supervision), {field: "不归我们"}).status_code == status
    supervision.refresh_from_db()
    assert supervision.status == SupervisionStatus.OPEN and supervision.answer == ""
