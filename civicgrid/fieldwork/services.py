"""Every change of field work: patrols (巡块) and household visits (走访).

One function per change (each takes `now=None`, the moment of the change: a data generator
backdates by passing it), each in one transaction, each checking first that the user works the
micro-grid concerned (grids.scoping: grid staff their active posts' micro-grids, community
staff their community's). A scope problem raises PermissionDenied, bad input ValidationError
(field → Chinese message, the names the forms use); in both cases nothing is written.
Cases are never written here directly: a finding becomes a case through cases.services.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from civicgrid.accounts.choices import Role
from civicgrid.attachments import services as attachments
from civicgrid.cases import services as cases
from civicgrid.cases.choices import CaseSource
from civicgrid.cases.services import photos as step_photos
from civicgrid.core.inputs import EARLIEST_DATE, LATEST_DATE
from civicgrid.fieldwork.choices import FindingResult, PatrolShift, PatrolStatus
from civicgrid.fieldwork.models import (
    ChecklistItem,
    FollowUp,
    NeedKind,
    Patrol,
    PatrolArea,
    PatrolFinding,
    Topic,
    Visit,
)
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.grids.scoping import visible_micro_grids

MAX_NOTE = 500
MAX_TOPICS = 2000
MAX_FOLLOW_UP = 300
MAX_FOLLOW_UPS = 10
# Points per request and per patrol: a phone posts every few seconds for a couple of hours.
MAX_POINTS_PER_POST = 500
MAX_ROUTE_POINTS = 20_000
# A visit may be entered afterwards, but not for the future (beyond a phone's clock drift).
CLOCK_SLACK = datetime.timedelta(minutes=10)
MAX_VISIT_AGE = datetime.timedelta(days=60)
MAX_TOPIC_TITLE = 300
# Cases from visits and their follow-ups come in through the 走访 channel.
VISIT_SOURCE = CaseSource.VISIT


# --- scope ---------------------------------------------------------------------------------------


def my_micro_grids(user):
    """The micro-grids this user works (all of them for street-wide roles)."""
    grids = visible_micro_grids(user)
    if grids is None:
        return Grid.objects.filter(level=GridLevel.MICRO_GRID)
    return grids


def may_work(user, micro_grid_id) -> bool:
    return (
        micro_grid_id is not None
        and not user.is_read_only
        and my_micro_grids(user).filter(pk=micro_grid_id).exists()
    )


def check_grid(user, micro_grid_id) -> None:
    """PermissionDenied unless `user` works that micro-grid (the message shows on the 403 page)."""
    if not may_work(user, micro_grid_id):
        raise PermissionDenied(_("该网格不在您的工作范围内"))


def _check_patrol_owner(patrol: Patrol, user) -> None:
    check_grid(user, patrol.micro_grid_id)
    if patrol.worker_id != user.pk:
        raise PermissionDenied(_("这是其他网格员的巡查记录，只有巡查人本人可以修改"))


def _check_running(patrol: Patrol) -> None:
    if patrol.status != PatrolStatus.RUNNING:
        raise ValidationError(_("本次巡查已结束，不能再修改"))


def _lock_patrol(patrol) -> Patrol:
    return Patrol.objects.select_for_update().get(pk=patrol.pk)


def _text(value, field, label, max_length, *, required=False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: _("请填写%(label)s") % {"label": label}})
    if len(text) > max_length:
        raise ValidationError(
            {field: _("%(label)s不能超过%(n)s个字") % {"label": label, "n": max_length}}
        )
    return text


def clean_photo(upload, field="photo"):
    """Read and clean one photo like every case photo (type sniffed, re-encoded without EXIF/GPS,
    size and pixel limits); ValidationError on `field` otherwise. Returns the cleaned image."""
    limit = attachments.max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            {field: _("照片过大，上限为 %(limit)s") % {"limit": attachments.human_size(limit)}}
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            {field: _("照片过大，上限为 %(limit)s") % {"limit": attachments.human_size(limit)}}
        )
    if not data:
        raise ValidationError({field: _("照片文件为空")})
    try:
        return attachments.clean_image(data)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None


# --- patrols -------------------------------------------------------------------------------------


def default_shift(now=None) -> str:
    return PatrolShift.MORNING if timezone.localtime(now).hour < 12 else PatrolShift.AFTERNOON


def start_patrol(user, micro_grid, *, shift: str = "", now=None) -> Patrol:
    """巡块 begins: one running patrol per worker at a time, so points and findings have one home."""
    micro_grid_id = micro_grid.pk if isinstance(micro_grid, Grid) else micro_grid
    check_grid(user, micro_grid_id)
    now = now or timezone.now()
    shift = shift or default_shift(now)
    if shift not in PatrolShift.values:
        raise ValidationError({"shift": _("请选择上午或下午")})
    with transaction.atomic():
        running = (
            Patrol.objects.select_for_update(of=("self",))
            .filter(worker=user, status=PatrolStatus.RUNNING)
            .select_related("micro_grid")
            .first()
        )
        if running is not None:
            raise ValidationError(
                {
                    "micro_grid": _("您在%(grid)s的巡查尚未结束，请先结束再开始新的巡查")
                    % {"grid": running.micro_grid.name}
                }
            )
        return Patrol.objects.create(
            worker=user, micro_grid_id=micro_grid_id, shift=shift, started_at=now
        )


def _point(raw, index, now):
    where = _("第%(n)s个轨迹点") % {"n": index + 1}
    if not isinstance(raw, list | tuple) or len(raw) not in (2, 3):
        raise ValidationError(
            {"points": _("%(where)s格式应为[经度， 纬度， 时间]") % {"where": where}}
        )
    try:
        lon, lat = float(raw[0]), float(raw[1])
    except (TypeError, ValueError, OverflowError):
        raise ValidationError(
            {"points": _("%(where)s的经纬度必须是数字") % {"where": where}}
        ) from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):  # also NaN
        raise ValidationError({"points": _("%(where)s的经纬度超出范围") % {"where": where}})
    at = None
    if len(raw) == 3:
        try:
            at = parse_datetime(raw[2]) if isinstance(raw[2], str) else None
        except ValueError:  # well formed but no time: 2026-02-30T25:00
            at = None
        if at is not None and not EARLIEST_DATE <= at.date() <= LATEST_DATE:
            at = None
        if at is None:
            raise ValidationError({"points": _("%(where)s的时间格式不正确") % {"where": where}})
        if timezone.is_naive(at):
            at = timezone.make_aware(at)
    at = at or now
    return [round(lon, 7), round(lat, 7), at.isoformat(timespec="seconds")]


def _when(point) -> datetime.datetime:
    return datetime.datetime.fromisoformat(point[2])


def add_route_points(patrol: Patrol, user, points, *, now=None) -> Patrol:
    """Append the phone's positions to the running patrol's route (all of them or none).

    The phone keeps the points it could not send (no signal, the session ended) and sends them
    again, so a point with its own time that the route holds already (the same place at the same
    time) is not added twice, and points that come late take their place in time."""
    if not isinstance(points, list) or not points:
        raise ValidationError({"points": _("没有轨迹点")})
    if len(points) > MAX_POINTS_PER_POST:
        raise ValidationError(
            {"points": _("一次最多提交%(n)s个轨迹点") % {"n": MAX_POINTS_PER_POST}}
        )
    now = now or timezone.now()
    cleaned = [_point(raw, i, now) for i, raw in enumerate(points)]
    with transaction.atomic():
        patrol = _lock_patrol(patrol)
        _check_patrol_owner(patrol, user)
        _check_running(patrol)
        # Only a point that carries the phone's own time can be known again: one without takes
        # the server's, and two such at one place within a second are two points.
        held = {tuple(p) for p in patrol.route}
        cleaned = [
            p
            for p, raw in zip(cleaned, points, strict=True)
            if len(raw) != 3 or tuple(p) not in held
        ]
        if len(patrol.route) + len(cleaned) > MAX_ROUTE_POINTS:
            raise ValidationError({"points": _("轨迹点已达上限%(n)s个") % {"n": MAX_ROUTE_POINTS}})
        route = [*patrol.route, *cleaned]
        if patrol.route and cleaned and min(map(_when, cleaned)) < _when(patrol.route[-1]):
            route.sort(key=_when)  # stable: points of one moment keep the order they came in
        patrol.route = route
        patrol.save(update_fields=["route"])
    return patrol


def record_finding(
    patrol: Patrol, user, item, *, result: str, note: str = "", photo=None, now=None
) -> PatrolFinding:
    """Tick one line of the checklist: 正常, or 有问题 with a note (and a photo). Ticking again
    changes the line, unless its problem already became a case."""
    if result not in FindingResult.values:
        raise ValidationError({"result": _("请选择“正常”或“有问题”")})
    note = _text(note, "note", _("情况说明"), MAX_NOTE, required=result == FindingResult.PROBLEM)
    cleaned = clean_photo(photo) if photo else None
    item_id = item.pk if isinstance(item, ChecklistItem) else item
    if not ChecklistItem.objects.filter(pk=item_id).exists():
        raise ValidationError({"item": _("检查项不存在")})
    with transaction.atomic():
        patrol = _lock_patrol(patrol)
        _check_patrol_owner(patrol, user)
        _check_running(patrol)
        finding = PatrolFinding.objects.filter(patrol=patrol, item_id=item_id).first()
        if finding is not None and finding.case_id:
            raise ValidationError({"result": _("该问题已转为案件，不能再修改")})
        if finding is None:
            finding = PatrolFinding(patrol=patrol, item_id=item_id)
        old_photo = finding.photo.name if finding.photo else ""
        storage = finding.photo.storage
        finding.result = result
        finding.note = note
        finding.recorded_at = now or timezone.now()
        if result == FindingResult.OK:
            finding.photo = ""
        elif cleaned is not None:
            finding.photo.save(f"photo.{cleaned.ext}", ContentFile(cleaned.data), save=False)
        try:
            finding.save()
        except BaseException:
            if cleaned is not None and finding.photo.name and finding.photo.name != old_photo:
                storage.delete(finding.photo.name)
            raise
        if old_photo and old_photo != (finding.photo.name or ""):
            # The replaced photo leaves the disk once the new state is committed.
            transaction.on_commit(lambda: storage.delete(old_photo))
    return finding


def mark_rest_ok(patrol: Patrol, user, *, skip=(), now=None) -> int:
    """“其余全部正常”: every active checklist item not yet ticked on this patrol is 正常, in one
    tap at the end of a round — except the lines in `skip`: those the worker has just marked
    有问题 but not yet saved (a note still to write), which a tap meant for the others must never
    turn into 正常. A line already ticked is never changed. Returns how many lines were ticked."""
    skip_ids = set()
    for value in skip or ():
        try:
            skip_ids.add(int(value))
        except (TypeError, ValueError):
            raise ValidationError({"skip": _("检查项编号不正确")}) from None
    with transaction.atomic():
        patrol = _lock_patrol(patrol)
        _check_patrol_owner(patrol, user)
        _check_running(patrol)
        done = PatrolFinding.objects.filter(patrol=patrol).values("item_id")
        rest = (
            ChecklistItem.objects.filter(is_active=True)
            .exclude(pk__in=done)
            .exclude(pk__in=skip_ids)
        )
        now = now or timezone.now()
        created = PatrolFinding.objects.bulk_create(
            [
                PatrolFinding(patrol=patrol, item=item, result=FindingResult.OK, recorded_at=now)
                for item in rest
            ]
        )
    return len(created)


def finding_to_case(finding: PatrolFinding, user, *, now=None):
    """A problem found on a patrol becomes a case in one tap: the item's category, the note as
    the description, the patrol's last position (else the grid's centre), its photo as 处置前.
    Returns the case. The case, its photo and the link to it are one transaction (the photo's
    file leaves the disk again if it rolls back)."""
    with step_photos.atomic():
        finding = (
            PatrolFinding.objects.select_for_update(of=("self",))
            .select_related("patrol__micro_grid", "item__category")
            .get(pk=finding.pk)
        )
        patrol = finding.patrol
        _check_patrol_owner(patrol, user)
        if finding.result != FindingResult.PROBLEM:
            raise ValidationError(_("只有“有问题”的检查项可以转为案件"))
        if finding.case_id:
            raise ValidationError(_("该问题已转为案件%(number)s") % {"number": finding.case.number})
        point = patrol.last_point
        if point is None and patrol.micro_grid.centroid_lon is not None:
            point = (patrol.micro_grid.centroid_lon, patrol.micro_grid.centroid_lat)
        lon, lat = point if point else (None, None)
        photos = []
        if finding.photo:
            with finding.photo.open("rb") as handle:
                photos.append(
                    ContentFile(handle.read(), name=finding.photo.name.rsplit("/", 1)[-1])
                )
        case = cases.do_report(
            user=user,
            category=finding.item.category,
            description=finding.note or finding.item.name,
            source=CaseSource.GRID_PATROL,
            lon=lon,
            lat=lat,
            address=patrol.micro_grid.name,
            photos=photos,
            now=now,
        ).case
        finding.case = case
        finding.save(update_fields=["case"])
    return case


def finish_patrol(patrol: Patrol, user, *, note: str = "", now=None) -> Patrol:
    """巡块 ends: the record is handed in and no longer changes."""
    note = _text(note, "note", _("巡查小结"), MAX_TOPICS)
    with transaction.atomic():
        patrol = _lock_patrol(patrol)
        _check_patrol_owner(patrol, user)
        _check_running(patrol)
        patrol.status = PatrolStatus.FINISHED
        patrol.ended_at = now or timezone.now()
        patrol.note = note
        patrol.save(update_fields=["status", "ended_at", "note"])
    return patrol


# --- patrol plan: responsibility areas (巡块责任区) ------------------------------------------------


def check_patrol_area(area: PatrolArea, building_groups=()) -> None:
    """ValidationError (by field) unless the area is whole: a worker of the phone pages, one
    micro-grid, building groups of that micro-grid only, a period that ends after it starts."""
    from civicgrid.accounts.policy import FIELDWORK_ROLES

    micro_grid = Grid.objects.filter(pk=area.micro_grid_id, level=GridLevel.MICRO_GRID).first()
    if micro_grid is None:
        raise ValidationError({"micro_grid": _("请选择微网格")})
    if area.worker_id is None or area.worker.effective_role not in FIELDWORK_ROLES:
        raise ValidationError({"worker": _("责任人须为网格员、网格长或居委工作人员")})
    if area.end_date and area.start_date and area.end_date < area.start_date:
        raise ValidationError({"end_date": _("结束日期不能早于起始日期")})
    for group in building_groups:
        if group.level != GridLevel.BUILDING_GROUP or group.parent_id != micro_grid.pk:
            raise ValidationError(
                {
                    "building_groups": _("%(group)s不属于%(grid)s")
                    % {"group": group.name, "grid": micro_grid.name}
                }
            )


def save_patrol_area(user, area: PatrolArea, building_groups=()) -> PatrolArea:
    """Create or change a responsibility area (巡块责任区) of a micro-grid the editor works:
    optionally some of its building groups (none: the whole micro-grid). `user=None` is a
    trusted caller (the demo, a command)."""
    if user is not None:
        check_grid(user, area.micro_grid_id)
    groups = list(building_groups)
    check_patrol_area(area, groups)
    with transaction.atomic():
        area.save()
        area.building_groups.set(groups)
    return area


# --- visits --------------------------------------------------------------------------------------


def visible_households(user):
    """Households of the micro-grids this user works."""
    from civicgrid.registry.models import Household

    return Household.objects.filter(address__micro_grid__in=my_micro_grids(user).values("pk"))


def _need_kinds(needs) -> list[NeedKind]:
    ids = []
    for need in needs or ():
        try:
            ids.append(need.pk if isinstance(need, NeedKind) else int(need))
        except (TypeError, ValueError):
            raise ValidationError({"needs": _("急难愁盼事项不存在")}) from None
    kinds = list(NeedKind.objects.filter(pk__in=ids, is_active=True))
    if len(kinds) != len(set(ids)):
        raise ValidationError({"needs": _("急难愁盼事项不存在")})
    return kinds


def record_visit(
    user, household, *, visited_at=None, topics: str, follow_ups=(), needs=(), now=None
) -> Visit:
    """走访: whom (a household of my grids), when (not in the future), what was asked, the
    急难愁盼 needs it found (NeedKind) and the follow-ups it leaves (one per line)."""
    from civicgrid.registry.models import Household

    if household in (None, ""):
        raise ValidationError({"household": _("请选择走访的住户")})
    try:
        household_id = household.pk if isinstance(household, Household) else int(household)
    except (TypeError, ValueError):
        raise ValidationError({"household": _("住户不存在")}) from None
    row = (
        Household.objects.filter(pk=household_id)
        .values_list("address__micro_grid_id", flat=True)
        .first()
    )
    if row is None:
        raise ValidationError({"household": _("住户不存在")})
    check_grid(user, row)
    now = now or timezone.now()
    visited_at = visited_at or now
    if visited_at > now + CLOCK_SLACK:
        raise ValidationError({"visited_at": _("走访时间不能晚于现在")})
    if visited_at < now - MAX_VISIT_AGE:
        raise ValidationError({"visited_at": _("只能登记60天内的走访")})
    topics = _text(topics, "topics", _("询问事项"), MAX_TOPICS, required=True)
    items = [line.strip() for line in follow_ups if line and line.strip()]
    if len(items) > MAX_FOLLOW_UPS:
        raise ValidationError({"follow_ups": _("跟进事项最多%(n)s条") % {"n": MAX_FOLLOW_UPS}})
    for text in items:
        if len(text) > MAX_FOLLOW_UP:
            raise ValidationError(
                {"follow_ups": _("每条跟进事项不能超过%(n)s个字") % {"n": MAX_FOLLOW_UP}}
            )
    kinds = _need_kinds(needs)
    with transaction.atomic():
        visit = Visit.objects.create(
            worker=user,
            household_id=household_id,
            micro_grid_id=row,
            visited_at=visited_at,
            topics=topics,
        )
        FollowUp.objects.bulk_create([FollowUp(visit=visit, text=text) for text in items])
        visit.needs.set(kinds)
    return visit


def _visit_case(visit: Visit, user, *, description: str, need, now):
    """The case of a visit or one of its follow-ups: the chosen need's category (the visit's
    first need by default), the household's address, the micro-grid's centre."""
    kinds = list(visit.needs.select_related("category"))
    if not kinds:
        raise ValidationError({"need": _("请先为这次走访标注急难愁盼事项")})
    kind = kinds[0]
    if need not in (None, ""):
        try:
            need_id = need.pk if isinstance(need, NeedKind) else int(need)
        except (TypeError, ValueError):
            need_id = None
        kind = next((k for k in kinds if k.pk == need_id), None)
        if kind is None:
            raise ValidationError({"need": _("请选择这次走访标注的急难愁盼事项")})
    grid = visit.micro_grid
    return cases.do_report(
        user=user,
        category=kind.category,
        description=description,
        source=VISIT_SOURCE,
        lon=grid.centroid_lon,
        lat=grid.centroid_lat,
        address=visit.household.address.normalized,
        photos=(),
        now=now,
    ).case


def visit_to_case(visit: Visit, user, *, need=None, now=None):
    """A visit becomes a case in one tap (its topics as the description). Once only."""
    with transaction.atomic():
        visit = (
            Visit.objects.select_for_update(of=("self",))
            # Not the case: a case made by a run that held the lock before this one is not in
            # this statement's join (PostgreSQL re-reads only the locked row); visit.case reads it.
            .select_related("micro_grid", "household__address")
            .get(pk=visit.pk)
        )
        check_grid(user, visit.micro_grid_id)
        if visit.case_id:
            raise ValidationError(_("这次走访已转为案件%(number)s") % {"number": visit.case.number})
        visit.case = _visit_case(visit, user, description=visit.topics, need=need, now=now)
        visit.save(update_fields=["case"])
    return visit.case


def _lock_follow_up(follow_up) -> FollowUp:
    return (
        FollowUp.objects.select_for_update(of=("self",))
        # Not the case, as for a visit (visit_to_case).
        .select_related("visit__micro_grid__parent", "visit__household__address")
        .get(pk=follow_up.pk)
    )


def follow_up_to_case(follow_up: FollowUp, user, *, need=None, now=None):
    """A follow-up becomes a case in one tap (its text as the description). Once only, and not
    once it is a 难点 on the 专题会 agenda."""
    with transaction.atomic():
        follow_up = _lock_follow_up(follow_up)
        check_grid(user, follow_up.visit.micro_grid_id)
        if follow_up.case_id:
            raise ValidationError(
                _("该跟进事项已转为案件%(number)s") % {"number": follow_up.case.number}
            )
        if follow_up.topic_id:
            raise ValidationError(_("该跟进事项已列为难点，由专题会研究"))
        follow_up.case = _visit_case(
            follow_up.visit, user, description=follow_up.text, need=need, now=now
        )
        follow_up.save(update_fields=["case"])
    return follow_up.case


def mark_hard(follow_up: FollowUp, user, *, title: str = "", now=None) -> Topic:
    """难点: a follow-up too hard for the grid goes onto its 居村's 专题会 agenda (a Topic titled
    by the follow-up unless a title is given). Not for one that became a case or is done."""
    title = _text(title, "title", _("议题"), MAX_TOPIC_TITLE)
    with transaction.atomic():
        follow_up = _lock_follow_up(follow_up)
        check_grid(user, follow_up.visit.micro_grid_id)
        if follow_up.topic_id:
            raise ValidationError(_("该跟进事项已列为难点"))
        if follow_up.case_id:
            raise ValidationError(
                _("该跟进事项已转为案件%(number)s") % {"number": follow_up.case.number}
            )
        if follow_up.is_done:
            raise ValidationError(_("已完成的跟进事项不能列为难点"))
        topic = Topic.objects.create(
            community=follow_up.visit.micro_grid.parent,
            title=title or follow_up.text,
            raised_by=user,
            raised_at=now or timezone.now(),
        )
        follow_up.topic = topic
        follow_up.save(update_fields=["topic"])
    return topic


def visible_topics(user):
    """专题会 agenda items of the 居村 whose micro-grids the user works."""
    return Topic.objects.filter(
        community__in=my_micro_grids(user).values("parent_id")
    ).select_related("community")


def record_work_plan(topic: Topic, user, *, meeting_date, work_plan: str, now=None) -> Topic:
    """The 专题会 discussed a 难点 and formed its work plan (工作方案): its date (not in the
    future) and the plan. Recorded by staff working that 居村; may be revised."""
    work_plan = _text(work_plan, "work_plan", _("工作方案"), MAX_TOPICS, required=True)
    now = now or timezone.now()
    if meeting_date is None:
        raise ValidationError({"meeting_date": _("请填写专题会日期")})
    if meeting_date > timezone.localdate(now):
        raise ValidationError({"meeting_date": _("专题会日期不能晚于今天")})
    with transaction.atomic():
        topic = Topic.objects.select_for_update().get(pk=topic.pk)
        if user.is_read_only or not visible_topics(user).filter(pk=topic.pk).exists():
            raise PermissionDenied(_("该议题不在您的工作范围内"))
        if meeting_date < timezone.localdate(topic.raised_at):
            raise ValidationError({"meeting_date": _("专题会日期不能早于议题提出的日期")})
        topic.meeting_date = meeting_date
        topic.work_plan = work_plan
        topic.planned_by = user
        topic.save(update_fields=["meeting_date", "work_plan", "planned_by"])
    return topic


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    first = datetime.date(year, 3 * (quarter - 1) + 1, 1)
    following = datetime.date(year + (quarter == 4), 1 if quarter == 4 else first.month + 3, 1)
    return first, following - datetime.timedelta(days=1)


def visit_coverage(user, year: int, quarter: int) -> dict:
    """Household visit coverage (走访覆盖率) of a quarter, per micro-grid of the user's scope:
    households visited at least once in the quarter ÷ households registered there now. Two
    queries."""
    from civicgrid.registry.models import Household

    first, last = quarter_bounds(year, quarter)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min)
    )
    grids = my_micro_grids(user)
    totals = dict(
        Household.objects.filter(address__micro_grid__in=grids.values("pk"))
        .values_list("address__micro_grid_id")
        .annotate(n=Count("pk"))
        .values_list("address__micro_grid_id", "n")
    )
    visited = dict(
        Visit.objects.filter(
            micro_grid__in=grids.values("pk"), visited_at__gte=start, visited_at__lt=end
        )
        .values_list("micro_grid_id")
        .annotate(n=Count("household_id", distinct=True))
        .values_list("micro_grid_id", "n")
    )
    rows = []
    for grid in grids.order_by("code").values("pk", "name"):
        households = totals.get(grid["pk"], 0)
        reached = visited.get(grid["pk"], 0)
        rows.append(
            {
                "name": grid["name"],
                "households": households,
                "visited": reached,
                "rate": reached / households if households else None,
            }
        )
    households = sum(r["households"] for r in rows)
    reached = sum(r["visited"] for r in rows)
    return {
        "first": first,
        "last": last,
        "rows": rows,
        "households": households,
        "visited": reached,
        "rate": reached / households if households else None,
    }


def set_follow_up_done(follow_up: FollowUp, user, *, done: bool = True, now=None) -> FollowUp:
    """Mark a follow-up done (or open again); grid staff of the visit's micro-grid may."""
    with transaction.atomic():
        follow_up = (
            FollowUp.objects.select_for_update(of=("self",))
            .select_related("visit")
            .get(pk=follow_up.pk)
        )
        check_grid(user, follow_up.visit.micro_grid_id)
        follow_up.is_done = bool(done)
        follow_up.done_at = (now or timezone.now()) if done else None
        follow_up.save(update_fields=["is_done", "done_at"])
    return follow_up


# --- weekly summary ("四百走访" weekly reporting) --------------------------------------------------


def iso_week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.isoweekday() - 1)


def weekly_summary(user, *, weeks: int = 8, today: datetime.date | None = None) -> list[dict]:
    """Per worker and ISO week (newest first): visits, households reached, follow-ups open and
    done. A grid worker sees their own rows; a grid leader and community staff every worker's
    visits in the micro-grids they oversee (the weekly report of "四百走访" goes up to them).

    One query: the visits of the period with their follow-up counts and the workers' names;
    weeks are counted in local time (Asia/Shanghai), Monday to Sunday."""
    today = today or timezone.localdate()
    first = iso_week_start(today) - datetime.timedelta(weeks=weeks - 1)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    visits = Visit.objects.filter(
        micro_grid__in=my_micro_grids(user).values("pk"), visited_at__gte=start
    )
    if user.effective_role == Role.GRID_WORKER:
        visits = visits.filter(worker=user)
    rows = visits.annotate(
        open_count=Count("follow_ups", filter=Q(follow_ups__is_done=False)),
        done_count=Count("follow_ups", filter=Q(follow_ups__is_done=True)),
    ).values(
        "worker_id",
        "worker__username",
        "worker__first_name",
        "worker__last_name",
        "household_id",
        "visited_at",
        "open_count",
        "done_count",
    )
    table: dict[tuple, dict] = {}
    for row in rows:
        year, week, _weekday = timezone.localtime(row["visited_at"]).isocalendar()
        key = (year, week, row["worker_id"])
        entry = table.get(key)
        if entry is None:
            name = f"{row['worker__last_name']}{row['worker__first_name']}".strip()
            monday = datetime.date.fromisocalendar(year, week, 1)
            entry = table[key] = {
                "year": year,
                "week": week,
                "monday": monday,
                "sunday": monday + datetime.timedelta(days=6),
                "worker_id": row["worker_id"],
                "worker": name or row["worker__username"],
                "visits": 0,
                "households": set(),
                "follow_ups_open": 0,
                "follow_ups_done": 0,
            }
        entry["visits"] += 1
        entry["households"].add(row["household_id"])
        entry["follow_ups_open"] += row["open_count"]
        entry["follow_ups_done"] += row["done_count"]
    result = []
    for key in sorted(table, key=lambda k: (-k[0], -k[1], table[k]["worker"])):
        entry = table[key]
        entry["households"] = len(entry["households"])
        result.append(entry)
    return result


__all__ = [
    "add_route_points",
    "check_grid",
    "check_patrol_area",
    "clean_photo",
    "finding_to_case",
    "finish_patrol",
    "follow_up_to_case",
    "mark_hard",
    "record_work_plan",
    "visit_coverage",
    "visit_to_case",
    "mark_rest_ok",
    "record_finding",
    "record_visit",
    "save_patrol_area",
    "set_follow_up_done",
    "start_patrol",
    "weekly_summary",
]
