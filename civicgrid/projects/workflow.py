"""The one transition table of a community project (社区项目), and the default weights.

征集 → 初筛 → 听证 (its hearing held, support counted) → 评分 → 推荐 (at most the campaign's
quota) → 实施 → 验收 → 移交 (长效管理) → 结项. A project may drop out (未入选) until it is
recommended.
"""

from civicgrid.projects.choices import MilestoneKind as M
from civicgrid.projects.choices import ProjectState as S

TRANSITIONS = {
    S.SUBMITTED: frozenset({S.SCREENED, S.DECLINED}),
    S.SCREENED: frozenset({S.CONSULTED, S.DECLINED}),
    S.CONSULTED: frozenset({S.SCORED, S.DECLINED}),
    S.SCORED: frozenset({S.RECOMMENDED, S.DECLINED}),
    S.RECOMMENDED: frozenset({S.IN_PROGRESS}),
    S.IN_PROGRESS: frozenset({S.ACCEPTED}),
    S.ACCEPTED: frozenset({S.HANDED_OVER}),
    S.HANDED_OVER: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.DECLINED: frozenset(),
}

# The funnel's order (the report counts every project that reached a stage).
FUNNEL = [
    S.SUBMITTED,
    S.SCREENED,
    S.CONSULTED,
    S.SCORED,
    S.RECOMMENDED,
    S.IN_PROGRESS,
    S.ACCEPTED,
    S.HANDED_OVER,
    S.CLOSED,
]

# Residents may support a project while it is being chosen.
SUPPORT_STATES = frozenset({S.SUBMITTED, S.SCREENED, S.CONSULTED})

DEFAULT_MILESTONES = [
    (M.DESIGN, 10),
    (M.TENDER, 10),
    (M.BUILD, 60),
    (M.ACCEPTANCE, 10),
    (M.HANDOVER, 10),
]

# 党建引领 20, 群众参与 20, 问题解决实效 30, 创新 15, 可复制推广 15 (editable: ScoringTemplate).
DEFAULT_CRITERIA = [
    ("党建引领", 20),
    ("群众参与", 20),
    ("问题解决实效", 30),
    ("创新", 15),
    ("可复制推广", 15),
]


def may_move(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())
