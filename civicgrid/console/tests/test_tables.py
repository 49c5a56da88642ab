"""The queue's and the inbox's rows written in Python (console.tables): every value from the
database escaped as the templates' autoescape did, each cell's words and links, the inbox's
actions with their CSRF token and the way back."""

import pytest

from civicgrid.cases import services
from civicgrid.cases.models import Case
from civicgrid.testing.cases import case_in_state

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("garbage")]

HOSTILE = '<script>alert("x")</script> & 井盖'


def row_of(page: str, number: str) -> str:
    return page.split(f'data-number="{number}"')[1].split("</tr>")[0]


def test_a_queue_row_escapes_what_was_typed_and_says_its_counts(client_for, users):
    case = case_in_state("dispatched", users, description=HOSTILE)
    Case.objects.filter(pk=case.pk).update(
        address='弄堂 <b>"7"</b>', external_ticket="<i>T1</i>", hurry_count=2
    )
    page = client_for(users["operator"]).get("/console/?tab=in_progress").content.decode()
    row = row_of(page, case.number)
    assert "<script>" not in row and "<b>" not in row and "<i>" not in row
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 井盖" in row
    assert "弄堂 &lt;b&gt;&quot;7&quot;&lt;/b&gt;" in row
    assert "催办 2 次" in row and "&lt;i&gt;T1&lt;/i&gt;" in row
    assert f'href="/console/case/{case.number}/"' in row
    assert case.assigned_department.name in row


def test_a_returned_case_says_who_and_why_escaped(client_for, users):
    case = case_in_state("dispatched", users)
    services.do_return(case, users["handler"], reason="<b>属物业</b>管理范围")
    page = client_for(users["operator"]).get("/console/?tab=to_dispatch").content.decode()
    row = row_of(page, case.number)
    assert 'data-why="returned"' in row and "退回" in row
    assert "&lt;b&gt;属物业&lt;/b&gt;管理范围" in row and "<b>属物业" not in row
    # 待派遣 ticks cases for the bulk dispatch.
    assert f'name="cases" value="{case.number}"' in row


def test_the_inbox_row_offers_accept_and_return_back_to_the_same_page(client_for, users):
    case = case_in_state("dispatched", users, description=HOSTILE)
    page = client_for(users["handler"]).get("/console/inbox/?tab=to_accept").content.decode()
    row = row_of(page, case.number)
    assert "<script>" not in row and "&lt;script&gt;" in row
    assert f'action="/console/case/{case.number}/do/accept/"' in row
    assert f'action="/console/case/{case.number}/do/return/"' in row
    assert row.count('name="csrfmiddlewaretoken"') == 2
    assert row.count('name="next" value="/console/inbox/?tab=to_accept"') == 2


def test_an_empty_queue_says_so(client_for, users):
    page = client_for(users["operator"]).get("/console/?tab=to_verify").content.decode()
    assert "没有符合条件的案件" in page
