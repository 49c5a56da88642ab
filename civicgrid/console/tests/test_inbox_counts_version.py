"""A department's inbox counts go by its own version (console.queries): a change of a case in
its hands, before or after the change, or of one of its 协办 parts drops them at the commit; an
intake (no department yet) or another department's change leaves them cached.

Transactional: the versions move at the commits (on_commit), as in production."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from civicgrid.accounts.choices import Role
from civicgrid.cases import services
from civicgrid.console.queries import COUNTS_VERSION, department_version_key
from civicgrid.testing.cases import report
from civicgrid.testing.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def handler_sw(departments):
    return UserFactory(username="handler_sw", role=Role.DEPT_HANDLER, department=departments["sw"])


@pytest.fixture
def inbox(clock):
    """inbox(user) → (its counts, the queries its page made); the clock stands still, so the
    counts' time bucket does not move between two pages."""
    clients = {}

    def page(user):
        if user.pk not in clients:
            clients[user.pk] = Client()
            clients[user.pk].force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = clients[user.pk].get("/console/inbox/")
        assert response.status_code == 200
        return response.context["counts"], len(queries)

    return page


def filed(users, garbage):
    case = report(users["resident"], garbage)
    services.do_file(case, users["operator"])
    return case


def test_a_dispatch_changes_the_departments_counts_at_once(users, garbage, departments, inbox):
    handler = users["handler"]
    case = filed(users, garbage)
    before, _n = inbox(handler)
    assert before["to_accept"] == 0
    services.do_dispatch(case, users["operator"], department=departments["cg"])
    after, _n = inbox(handler)
    assert after["to_accept"] == 1


def test_an_intake_leaves_another_departments_counts_cached(
    users, garbage, departments, inbox, django_assert_num_queries
):
    other = users["handler_fg"]
    case = filed(users, garbage)
    services.do_dispatch(case, users["operator"], department=departments["fg"])
    inbox(other)  # counted and cached
    cached, warm = inbox(other)
    street = cache.get(COUNTS_VERSION)
    department = cache.get(department_version_key(departments["fg"].pk))

    report(users["resident"], garbage)  # committed: no department yet

    assert cache.get(COUNTS_VERSION) != street  # the queues' counts are dropped ...
    assert cache.get(department_version_key(departments["fg"].pk)) == department
    with django_assert_num_queries(warm):  # ... the inbox's are not counted again
        again, _n = inbox(other)
    assert again == cached
    # A change in its hands is counted again (the page's two counting queries).
    services.do_accept(case, other)
    counted, queries = inbox(other)
    assert queries == warm + 2
    assert (counted["to_accept"], counted["in_progress"]) == (0, 1)


def test_a_transfer_refreshes_both_departments(users, garbage, departments, inbox):
    a, b = users["handler"], users["handler_fg"]
    case = filed(users, garbage)
    services.do_dispatch(case, users["operator"], department=departments["cg"])
    assert inbox(a)[0]["to_accept"] == 1
    assert inbox(b)[0]["to_accept"] == 0

    services.do_redispatch(case, users["operator"], department=departments["fg"], reason="职责")

    assert inbox(a)[0]["to_accept"] == 0
    assert inbox(b)[0]["to_accept"] == 1
    # 退回 (B gives it back to the street): B's counts drop it too.
    services.do_return(case, b, reason="不属本部门职责")
    assert inbox(b)[0]["to_accept"] == 0


def test_a_co_handling_part_refreshes_the_co_handlers_counts(
    users, garbage, departments, handler_sw, inbox
):
    case = filed(users, garbage)
    assert inbox(handler_sw)[0]["co_handling"] == 0
    # The parts are opened by bulk_create (no signal): read at the dispatch's commit.
    services.do_dispatch(
        case, users["operator"], department=departments["cg"], co_departments=[departments["sw"]]
    )
    assert inbox(handler_sw)[0]["co_handling"] == 1
    services.do_accept(case, users["handler"])
    services.do_co_feedback(case, handler_sw, feedback="已配合清运")
    assert inbox(handler_sw)[0]["co_handling"] == 0


def test_a_rolled_back_change_leaves_nothing_noted(users, garbage, departments, inbox):
    from django.db import transaction

    other = users["handler_fg"]
    inbox(other)
    version = cache.get(department_version_key(departments["fg"].pk))
    case = filed(users, garbage)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.do_dispatch(case, users["operator"], department=departments["fg"])
        raise RuntimeError
    # The next transaction (an intake) moves only what it changed.
    report(users["resident"], garbage)
    assert cache.get(department_version_key(departments["fg"].pk)) == version
