"""主动发现 is not a source a client may pick: the API's intake refuses it (both its direct
check and the serializer), with the reason, and writes nothing; the back office cannot add a case
either. proactive/tests/test_not_by_hand.py shows the finding on a task still makes one."""

import pytest

from civicgrid.cases.api import serializers as s
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.testing.world import IN_MICRO

REFUSAL = "主动发现只能由主动治理巡查任务的发现生成"


def _body(garbage, **extra):
    return {
        "category": garbage.pk,
        "description": "楼道里堆满杂物",
        "lon": IN_MICRO[0][0],
        "lat": IN_MICRO[0][1],
        **extra,
    }


@pytest.mark.parametrize("key", ["worker", "gridleader", "operator", "admin"])
def test_the_api_refuses_a_hand_set_proactive_source(api, users, garbage, clock, key):
    point = IN_MICRO[1] if key == "gridleader" else IN_MICRO[0]
    body = _body(garbage, source="proactive", lon=point[0], lat=point[1])
    response = api(users[key]).post("/api/cases/", body, format="json")
    assert response.status_code == 400, response.data
    assert response.data["source"] == [REFUSAL]
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_a_retry_with_an_idempotency_key_is_refused_the_same(api, users, garbage, clock):
    client = api(users["worker"])
    body = _body(garbage, source="proactive")
    for _ in range(2):
        response = client.post("/api/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        assert response.status_code == 400 and response.data["source"] == [REFUSAL]
    assert not Case.objects.exists()
    # The worker's own channels are still theirs.
    ok = client.post("/api/cases/", _body(garbage, source="grid_patrol"), format="json")
    assert ok.status_code == 201 and Case.objects.get().source == "grid_patrol"


def test_the_direct_check_leaves_proactive_to_the_serializer():
    body = {"category": 7, "description": "主动发现", "source": "proactive"}
    assert s.lean_intake_fields(body) is None
    serializer = s.IntakeSerializer(data=body)
    assert not serializer.is_valid()
    assert [str(e) for e in serializer.errors["source"]] == [REFUSAL]
    assert serializer.errors["source"][0].code == "not_by_hand"
    # The schema's choices do not offer it.
    assert "proactive" not in serializer.fields["source"].choices


def test_the_back_office_adds_no_case(client_for, users):
    response = client_for(users["admin"]).get("/admin/cases/case/add/")
    assert response.status_code == 403
