"""Steps on one case at the same moment (a double click, two operators): they take turns on the
case's row lock, and the second is judged on the case as the first left it — a clear refusal,
never a 500."""

import pytest

from civicgrid.cases import services
from civicgrid.cases.choices import CaseStatus
from civicgrid.cases.models import Case
from civicgrid.cases.services import IllegalTransition
from civicgrid.testing.race import at_once, server_database
from civicgrid.testing.world import IN_MICRO, category

pytestmark = [pytest.mark.django_db(transaction=True), server_database]


def test_filing_with_a_corrected_category_pressed_twice_files_once(users, garbage):
    """The first 立案 changes the category. The second, waiting for its commit, used to lose the
    case altogether (its locking read joined the category read before the wait: Case.DoesNotExist,
    a 500); now it is refused as a case already filed."""
    case = services.do_report(
        user=users["resident"],
        category=garbage,
        description="楼道里堆满了纸箱和旧家具",
        lon=IN_MICRO[0][0],
        lat=IN_MICRO[0][1],
    ).case
    corrected = category("community", "0101")  # 楼道堆物
    results, errors = at_once(
        lambda _: services.do_file(case, users["operator"], category=corrected.pk)
    )
    assert len(results) == 1
    assert [type(e) for e in errors] == [IllegalTransition]
    assert "当前状态为“已立案”" in str(errors[0])
    filed = Case.objects.get()
    assert (filed.status, filed.category) == (CaseStatus.FILED, corrected)
    assert filed.events.filter(action="file").count() == 1
