"""The transition tables of proactive governance: a 一弄一案 item and a patrol task. Each service
checks its step here before it writes; a target of None keeps the state (a step that only adds
to the item, e.g. gathering one more case)."""

from civicgrid.proactive.choices import ProblemState as P
from civicgrid.proactive.choices import TaskState as T

PROBLEM_TRANSITIONS = {
    # 落实: an owner and a plan; again while in progress to change either.
    "plan": ({P.OPEN, P.IN_PROGRESS, P.RECURRED}, P.IN_PROGRESS),
    "gather": ({P.OPEN, P.IN_PROGRESS, P.RECURRED}, None),
    # 销号: the owner reports the problem solved.
    "close": ({P.IN_PROGRESS}, P.CLOSED),
    # 返潮: the same problem at the same place after it was closed (proactive.services.detect).
    "recur": ({P.CLOSED}, P.RECURRED),
}

TASK_TRANSITIONS = {
    "finding": ({T.OPEN}, T.DONE),
    "cancel": ({T.OPEN}, T.CANCELLED),
}
