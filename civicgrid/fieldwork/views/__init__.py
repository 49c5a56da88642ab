"""The grid workers' phone pages (/m/): my grids and tasks, a case page with the grid's actions,
reporting, patrols (巡块) and household visits (走访).

Views stay thin: they pick the rows the user may see (grids.scoping through
fieldwork.services.my_micro_grids, cases.permissions.scope_cases), call one service per POST and
redirect (PRG) with a message. A service's ValidationError goes back onto the form next to its
field with what was typed; IllegalTransition is a message and nothing changed; a grid that is
not the user's raises PermissionDenied (the 403 page shows why).

The pages live in one module per topic — cases (my grids and tasks, the case page and its
actions), report, patrols and visits, over what they share (common) — and the views urls.py
names are re-exported here.
"""

from civicgrid.fieldwork.views.cases import (
    case_accept,
    case_detail,
    case_handle,
    case_verify,
    home,
    waiting,
)
from civicgrid.fieldwork.views.patrols import (
    finding_case,
    finding_photo,
    patrol_detail,
    patrol_finish,
    patrol_item,
    patrol_points,
    patrol_rest_ok,
    patrols,
)
from civicgrid.fieldwork.views.plan import patrol_coverage, patrol_plan
from civicgrid.fieldwork.views.report import report
from civicgrid.fieldwork.views.scorecard import scorecard
from civicgrid.fieldwork.views.visits import (
    follow_up_case,
    follow_up_done,
    follow_up_hard,
    topic_plan,
    topics,
    visit_case,
    visit_coverage,
    visit_new,
    visit_summary,
    visits,
)

__all__ = [
    "case_accept",
    "case_detail",
    "case_handle",
    "case_verify",
    "finding_case",
    "finding_photo",
    "follow_up_case",
    "follow_up_done",
    "follow_up_hard",
    "home",
    "patrol_coverage",
    "patrol_detail",
    "patrol_finish",
    "patrol_item",
    "patrol_plan",
    "patrol_points",
    "patrol_rest_ok",
    "patrols",
    "report",
    "scorecard",
    "topic_plan",
    "topics",
    "visit_case",
    "visit_coverage",
    "visit_new",
    "visit_summary",
    "visits",
    "waiting",
]
