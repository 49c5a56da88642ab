"""The demo's notices on a small street: the relocation disclosed to 100 % signed (party members
first), the `resident` login seeing its own figures, the 62 → 8 selection 公示 with its objection
answered, the honour rolls; within the builder's time budget."""

import time

import pytest

from civicgrid.demo.notices import PARTY_HOUSEHOLDS, build_demo_notices
from civicgrid.notices import services
from civicgrid.notices.models import HonourEntry, Notice, Objection, Relocation
from civicgrid.testing.people import add_household

pytestmark = pytest.mark.django_db


def test_the_demo_notices(users, tree, households, settings):
    from civicgrid.demo.projects import build_demo_projects

    for i, group in enumerate(tree["building_groups"][:4]):
        for n in range(8):
            add_household(group, 300 + 10 * i + n, residents=1)
    build_demo_projects(seed=7)
    started = time.perf_counter()
    counts = build_demo_notices(seed=7)
    elapsed = time.perf_counter() - started
    assert elapsed < 15, elapsed  # a bound against runaway loops; `make demo` prints the real time
    relocation = Relocation.objects.get()
    figures = services.signing_figures(relocation)
    assert figures["households"] == counts["relocation_households"] > PARTY_HOUSEHOLDS
    assert figures["cleared"] and figures["rate"] == 100.0
    assert figures["party_signed"] == PARTY_HOUSEHOLDS
    first_day = figures["series"][0]
    party_days = set(
        relocation.households.filter(party_member=True).values_list("signed_on", flat=True)
    )
    assert first_day["on"] == min(party_days)
    [mine] = services.my_relocations(users["resident"])
    assert len(mine["own"]) == 1 and mine["figures"]["signed"] == figures["households"]
    progress = Notice.objects.get(source="relocation")
    assert progress.state == "published" and "100%签约" in progress.body
    selection = Notice.objects.get(source="project_selection")
    assert selection.state == "closed"
    assert "共收到申报项目62个" in selection.body and "推荐以下8个项目" in selection.body
    objection = Objection.objects.get(notice=selection)
    assert objection.answer.text.startswith("经核实")
    rolls = Notice.objects.filter(kind="honour_roll", state="published")
    assert rolls.filter(source="nominations").exists()
    names = set(
        HonourEntry.objects.filter(notice__source="nominations").values_list("name", flat=True)
    )
    assert names == {"陆阿姨", "钱师傅"}  # 小周 did not consent
    assert build_demo_notices(seed=7) == {}
