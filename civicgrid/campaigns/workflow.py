"""The transition tables of the programme: a 督查 round, a 违法建筑, a 居村's 无违建 status."""

from civicgrid.campaigns.choices import CreationStatus, RoundState, StructureState

ROUND_TRANSITIONS = {
    RoundState.PLANNED: {RoundState.CLOSED},
    RoundState.CLOSED: set(),
}

# 拆除 and 整改 are the two ways out of 告知; 复核 checks either.
STRUCTURE_TRANSITIONS = {
    StructureState.FOUND: {StructureState.NOTIFIED},
    StructureState.NOTIFIED: {StructureState.DEMOLISHED, StructureState.RECTIFIED},
    StructureState.DEMOLISHED: {StructureState.VERIFIED},
    StructureState.RECTIFIED: {StructureState.VERIFIED},
    StructureState.VERIFIED: set(),
}

# A 居村 may fall back to 创建中 when a new structure is found after it was created.
CREATION_TRANSITIONS = {
    CreationStatus.IN_PROGRESS: {CreationStatus.CREATED},
    CreationStatus.CREATED: {CreationStatus.PASSED_REVIEW, CreationStatus.IN_PROGRESS},
    CreationStatus.PASSED_REVIEW: {CreationStatus.IN_PROGRESS},
}


def may_move(table, current, target) -> bool:
    return target in table.get(current, set())
