"""Every change of the rental houses' fire-safety grading (三色码) and the figures built on it.

Each `do_*` runs in one transaction (the house row locked), checks the role (accounts.policy),
the scope (`scope_houses`, built on grids.scoping) and the colour table (firesafety.workflow)
before writing, writes its immutable history, and returns what it did. Bad input raises
ValidationError (field → Chinese message), a refused user PermissionDenied; nothing is written
then. `user=None` is a trusted caller (a command, the demo builder).

A red house opens a case for the fire office (the department that handles the category
出租屋消防隐患) through cases.services.do_report; a red not put right by its deadline goes to
基层约请 on that case (`check_overdue`, run by `manage.py firesafety_overdue`).
"""

import datetime
import logging
import statistics
from collections import Counter, defaultdict
from decimal import Decimal, InvalidOperation

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.choices import Role
from civicgrid.accounts.policy import (
    FIRESAFETY_EDIT_ROLES,
    FIRESAFETY_INSPECT_ROLES,
    FIRESAFETY_VIEW_ROLES,
)
from civicgrid.cases import services as cases
from civicgrid.cases.choices import OPEN_STATUSES, CallInStatus, CaseSource
from civicgrid.cases.models import Case, Category
from civicgrid.cases.services import photos as step_photos
from civicgrid.core.masking import mask_phone
from civicgrid.core.text import field_text
from civicgrid.firesafety import photos as inspection_photos
from civicgrid.firesafety import workflow
from civicgrid.firesafety.choices import Colour, HouseUse, Structure
from civicgrid.firesafety.models import (
    CheckItem,
    ColourChange,
    Finding,
    Inspection,
    RentalHouse,
)
from civicgrid.grids.models import Grid
from civicgrid.grids.scoping import scope_by_micro_grid, visible_micro_grids
from civicgrid.registry.choices import RENTED_USES, Tenure
from civicgrid.registry.models import Household, RentalRegistration, Resident
from civicgrid.workcalendar.services import add_working_days

logger = logging.getLogger("civicgrid.firesafety")

CATEGORY_NAME = "出租屋消防隐患"
CATEGORY_FAMILY = "community"
# A call-in on a red whose case is not itself overdue needs a second department: the one that
# handles 群租 (the housing side of rental houses, 房管) joins the fire office.
PARTNER_CATEGORY_NAMES = ("群租",)
# The programme's houses: rural self-built houses that are let (seed 002: "1692户农村自建房出租屋").
# A let flat elsewhere may be coded one by one; coverage and "code them all" count these.
PROGRAMME_TENURES = (Tenure.SELF_BUILT,)
MAX_NOTE = 300
DUE_SOON_DAYS = 7
TREND_MONTHS = 6
INSPECTION_SOURCES = (CaseSource.GRID_PATROL, CaseSource.DEPARTMENT, CaseSource.SUPERVISION)
COLOURS_HEX = {Colour.GREEN: "#1e8e3e", Colour.YELLOW: "#f2b705", Colour.RED: "#d93025", "": "#888"}


# --- the fire office and scope -------------------------------------------------------------------


def fire_category() -> Category | None:
    """The case category a red house opens (seeded by this app's migration)."""
    return (
        Category.objects.filter(family=CATEGORY_FAMILY, name=CATEGORY_NAME)
        .select_related("default_department")
        .first()
    )


# Every department handler's page asks is_fire_office (the menu): the fire office's department is
# kept in the shared cache and dropped whenever a category is saved or deleted (FiresafetyConfig
# connects forget_fire_office), at once and again at the commit.
FIRE_OFFICE_KEY = "firesafety:office-department"
FIRE_OFFICE_SECONDS = 300


def fire_office_department_id() -> int | None:
    """The department that handles 出租屋消防隐患 cases (None: no such category or department)."""
    found = cache.get(FIRE_OFFICE_KEY)
    if found is None:
        category = (
            Category.objects.filter(family=CATEGORY_FAMILY, name=CATEGORY_NAME)
            .values_list("default_department_id", flat=True)
            .first()
        )
        found = [category]  # a list: None (no office) is a value worth remembering too
        cache.set(FIRE_OFFICE_KEY, found, FIRE_OFFICE_SECONDS)
    return found[0]


def forget_fire_office(**_kwargs) -> None:
    cache.delete(FIRE_OFFICE_KEY)
    transaction.on_commit(lambda: cache.delete(FIRE_OFFICE_KEY))


def is_fire_office(user) -> bool:
    """Whether `user` is a handler of the fire office: the department that handles
    出租屋消防隐患 cases. Remembered on the user object for the request."""
    if user is None or not user.is_authenticated or user.effective_role != Role.DEPT_HANDLER:
        return False
    if not hasattr(user, "_firesafety_office"):
        note_fire_office(user, [fire_office_department_id()])
    return user._firesafety_office


def note_fire_office(user, found) -> None:
    """Remember on `user` what is_fire_office answers, from FIRE_OFFICE_KEY's entry (`found`,
    None: not cached) read with a page's other cache entries (console.queries.shared_reads:
    the inbox's menu then costs no round trip of its own)."""
    if found is not None:
        user._firesafety_office = bool(found[0] and found[0] == user.department_id)


def may_view(user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.effective_role == Role.DEPT_HANDLER:
        return is_fire_office(user)
    return user.effective_role in FIRESAFETY_VIEW_ROLES


def may_inspect(user) -> bool:
    if user is None:
        return True
    if not user.is_authenticated or user.is_read_only:
        return False
    if user.effective_role == Role.DEPT_HANDLER:
        return is_fire_office(user)
    return user.effective_role in FIRESAFETY_INSPECT_ROLES


def scope_houses(queryset, user, prefix: str = ""):
    """Houses (or rows hanging off a house through `prefix`, e.g. "house__") `user` may see: the
    street for street-wide roles and the fire office, else those of their micro-grids (a 居村's
    staff: their 居村's). Nobody else sees any."""
    if user is None:
        return queryset
    if is_fire_office(user):
        return queryset
    if user.is_authenticated and user.effective_role == Role.DEPT_HANDLER:
        return queryset.none()
    return scope_by_micro_grid(queryset, user, field=f"{prefix}micro_grid")


def _check_in_scope(user, house):
    if (
        user is not None
        and not scope_houses(RentalHouse.objects, user).filter(pk=house.pk).exists()
    ):
        raise PermissionDenied(_("该出租屋不在您的管辖范围内"))


# --- input ---------------------------------------------------------------------------------------


def _text(value, field, label, max_length, *, required=False) -> str:
    # A number or a list where text belongs is refused, not turned into its repr.
    if value is not None and not isinstance(value, str):
        raise ValidationError({field: _("%(label)s格式不正确") % {"label": label}})
    return field_text(value, field, label, max_length, required=required)


def _whole(value, field, label, low, high):
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({field: _("%(label)s须为整数") % {"label": label}}) from None
    if not low <= number <= high:
        raise ValidationError(
            {
                field: _("%(label)s须在%(low)s到%(high)s之间")
                % {"label": label, "low": low, "high": high}
            }
        )
    return number


def _area(value):
    if value in (None, ""):
        return None
    try:
        area = Decimal(str(value).strip()).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"area_m2": _("建筑面积须为数字（平方米）")}) from None
    if not Decimal("1") <= area <= Decimal("50000"):
        raise ValidationError({"area_m2": _("建筑面积须在1到50000平方米之间")})
    return area


def _choice(value, choices, field, label, *, blank=False):
    if blank and value in (None, ""):
        return ""
    if value not in choices.values:
        raise ValidationError({field: _("请选择%(label)s") % {"label": label}})
    return value


PARTICULARS = ("floors", "area_m2", "structure", "rooms", "use")


def clean_particulars(fields: dict) -> dict:
    """The house's particulars checked, every bad field at once (ValidationError)."""
    unknown = set(fields) - set(PARTICULARS)
    if unknown:
        raise ValidationError({f: _("该字段不能在此修改") for f in sorted(unknown)})
    checks = {
        "floors": lambda v: _whole(v, "floors", _("层数"), 1, 30),
        "area_m2": _area,
        "structure": lambda v: _choice(v, Structure, "structure", _("结构"), blank=True),
        "rooms": lambda v: _whole(v, "rooms", _("出租间数"), 0, 500),
        "use": lambda v: _choice(v, HouseUse, "use", _("使用性质")),
    }
    out, errors = {}, {}
    for name, value in fields.items():
        try:
            out[name] = checks[name](value)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return out


# --- the registry side: occupants, landlord, public address --------------------------------------


def _active_rentals(today):
    return RentalRegistration.objects.filter(start_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )


def occupants(household_ids, today=None) -> dict:
    """Household id → people living there by the registry: its residents who live there and the
    tenants of its current rental registrations, each once. Two queries."""
    today = today or timezone.localdate()
    ids = list(household_ids)
    people = defaultdict(set)
    for household_id, pk in Resident.objects.filter(
        household_id__in=ids, lives_here=True
    ).values_list("household_id", "pk"):
        people[household_id].add(pk)
    through = RentalRegistration.tenants.through
    for household_id, pk in through.objects.filter(
        rentalregistration__in=_active_rentals(today).filter(household_id__in=ids)
    ).values_list("rentalregistration__household_id", "resident_id"):
        people[household_id].add(pk)
    return {household_id: len(people.get(household_id, ())) for household_id in ids}


def current_rental(household, today=None):
    """The household's current rental registration (租赁登记), the latest if several."""
    today = today or timezone.localdate()
    return (
        _active_rentals(today)
        .filter(household=household)
        .select_related("landlord")
        .order_by("-start_date", "-pk")
        .first()
    )


def landlord(rental) -> dict | None:
    """The landlord of a registration, the phone masked (registry.pii's rule)."""
    if rental is None:
        return None
    name = rental.landlord.name if rental.landlord_id else rental.landlord_name
    phone = rental.landlord_phone or (rental.landlord.phone if rental.landlord_id else "")
    return {"name": name, "phone": mask_phone(phone), "start_date": rental.start_date}


def public_address(house) -> str:
    """The address as the public page shows it: 居村, road, 弄 and number — no building, no
    room (reads the house's household, address and community)."""
    address = house.household.address
    parts = [address.road]
    if address.lane:
        parts.append(f"{address.lane}弄")
    if address.number:
        parts.append(f"{address.number}号")
    return f"{house.community.name} {''.join(parts)}"


def house_point(house):
    """(lon, lat) of the house: its address's point, else its micro-grid's centre."""
    address = house.household.address
    if address.lon is not None and address.lat is not None:
        return address.lon, address.lat
    return house.micro_grid.centroid_lon, house.micro_grid.centroid_lat


# --- coding (一户一码) ----------------------------------------------------------------------------


def _require_edit(user):
    if user is not None and (user.effective_role not in FIRESAFETY_EDIT_ROLES or user.is_read_only):
        raise PermissionDenied(_("您的角色不能为出租屋赋码"))


def programme_households():
    """Let (出租, 群租) self-built houses: what 一户一码 must cover."""
    return Household.objects.filter(use__in=RENTED_USES, tenure__in=PROGRAMME_TENURES)


def uncoded_rentals(user=None):
    """Let self-built households of the user's scope without a code yet."""
    households = programme_households().filter(fire_house__isnull=True)
    if user is not None:
        households = scope_by_micro_grid(households, user, field="address__micro_grid")
    return households


def do_code_houses(user, *, households=None, now=None, particulars=None) -> list[RentalHouse]:
    """一户一码: give each let household (all let self-built ones of the user's scope without
    a code when `households` is None) its code, all or none. `particulars` maps a household id to its
    particulars (floors, area_m2, structure, rooms, use). A household not let (出租/群租), already
    coded or outside the user's scope is refused."""
    _require_edit(user)
    now = now or timezone.now()
    particulars = particulars or {}
    cleaned = {}
    for household_id, fields in particulars.items():
        cleaned[household_id] = clean_particulars(fields)
    base = Household.objects.select_related("address__micro_grid")
    if user is not None:
        base = scope_by_micro_grid(base, user, field="address__micro_grid")
    with transaction.atomic():
        if households is None:
            rows = list(
                base.filter(
                    use__in=RENTED_USES, tenure__in=PROGRAMME_TENURES, fire_house__isnull=True
                )
            )
        else:
            ids = {getattr(h, "pk", h) for h in households}
            rows = list(base.select_for_update(of=("self",)).filter(pk__in=ids))
            if len(rows) != len(ids):
                raise ValidationError({"households": _("有户不存在或不在您的管辖范围内")})
            not_let = [h for h in rows if h.use not in RENTED_USES]
            if not_let:
                raise ValidationError(
                    {
                        "households": _("“%(addr)s”不是出租房屋（房屋用途须为出租或群租）")
                        % {"addr": not_let[0].address.normalized}
                    }
                )
            coded = set(
                RentalHouse.objects.filter(household__in=rows).values_list(
                    "household_id", flat=True
                )
            )
            if coded:
                first = next(h for h in rows if h.pk in coded)
                raise ValidationError(
                    {"households": _("“%(addr)s”已赋码") % {"addr": first.address.normalized}}
                )
        houses = [
            RentalHouse(
                household=h,
                micro_grid_id=h.address.micro_grid_id,
                community_id=h.address.micro_grid.parent_id,
                coded_at=now,
                coded_by=user,
                **cleaned.get(h.pk, {}),
            )
            for h in rows
        ]
        return RentalHouse.objects.bulk_create(houses, batch_size=1000)


def do_code_house(user, household, *, now=None, **fields) -> RentalHouse:
    """One household's code with its particulars (see do_code_houses)."""
    pk = getattr(household, "pk", household)
    return do_code_houses(user, households=[pk], now=now, particulars={pk: fields})[0]


def do_update_house(user, house, **fields) -> RentalHouse:
    """Changes to a house's particulars (layers, area, structure, rooms, use). The editors of
    the house's scope and its inspectors may change them."""
    cleaned = clean_particulars(fields)
    if user is not None and not (may_inspect(user) or user.effective_role in FIRESAFETY_EDIT_ROLES):
        raise PermissionDenied(_("您无权修改出租屋信息"))
    with transaction.atomic():
        house = RentalHouse.objects.select_for_update().get(pk=house.pk)
        _check_in_scope(user, house)
        changed = [k for k, v in cleaned.items() if getattr(house, k) != v]
        for key in changed:
            setattr(house, key, cleaned[key])
        if changed:
            house.save(update_fields=changed)
    return house


# --- inspections ---------------------------------------------------------------------------------


def active_items():
    return CheckItem.objects.filter(is_active=True)


def _source_for(user) -> str:
    if user is None:
        return CaseSource.GRID_PATROL
    allowed = cases.SOURCES_BY_ROLE.get(user.effective_role, [])
    for source in INSPECTION_SOURCES:
        if source in allowed:
            return source
    return allowed[0] if allowed else CaseSource.GRID_PATROL


def _clean_hazards(hazards, items) -> dict:
    """{item id: note} or [item id, …] → {item: note}; unknown or inactive items refused."""
    by_id = {item.pk: item for item in items}
    by_code = {item.code: item for item in items}
    pairs = hazards.items() if isinstance(hazards, dict) else ((h, "") for h in hazards or ())
    cleaned = {}
    for raw, note in pairs:
        item = by_code.get(raw) if isinstance(raw, str) and raw in by_code else None
        if item is None:
            try:
                item = by_id[int(raw)]
            except (TypeError, ValueError, KeyError):
                raise ValidationError(
                    {"hazards": _("检查项“%(id)s”不存在或已停用") % {"id": str(raw)[:40]}}
                ) from None
        cleaned[item] = _text(note, "hazards", item.name, MAX_NOTE)
    return cleaned


def _deadline(house, colour, now):
    """The date by which the hazards must be put right: kept while the colour stays, else
    TERMS' working days from now (workcalendar); None for green."""
    days = workflow.TERMS[colour].rectify_working_days
    if days is None:
        return None
    if house.colour == colour and house.rectify_by is not None:
        return house.rectify_by
    return add_working_days(now, days).at


def do_inspect(
    user,
    house,
    *,
    hazards=(),
    landlord_acknowledged=False,
    acknowledged_by="",
    note="",
    photos=(),
    particulars=None,
    now=None,
) -> Inspection:
    """消防检查 of a rental house: the hazards found (item ids or codes, or {item: note}) grade
    it (workflow.colour_for); the deadlines follow from the colour; a change of colour is a
    ColourChange; a red house opens a case for the fire office unless its case is still open.
    The landlord's acknowledgement (签字确认) names who signed. `particulars` (floors, area_m2,
    structure, rooms, use) seen on the spot are saved with the inspection."""
    now = now or timezone.now()
    if not may_inspect(user):
        raise PermissionDenied(_("您的角色不能进行出租屋消防检查"))
    note = _text(note, "note", _("备注"), MAX_NOTE)
    if landlord_acknowledged not in (True, False):
        raise ValidationError({"landlord_acknowledged": _("请选择房东是否签字确认")})
    acknowledged_by = _text(acknowledged_by, "acknowledged_by", _("确认人"), 50)
    if landlord_acknowledged and not acknowledged_by:
        raise ValidationError({"acknowledged_by": _("房东已签字确认时请填写确认人姓名")})
    if not landlord_acknowledged and acknowledged_by:
        raise ValidationError({"acknowledged_by": _("房东未签字确认时不填写确认人")})
    items = list(active_items())
    if not items:
        raise ValidationError({"hazards": _("尚未设置消防检查项")})
    found = _clean_hazards(hazards, items)
    particulars = clean_particulars(particulars or {})
    uploads = inspection_photos.prepared(photos)
    major = sum(1 for item in found if item.is_major)
    minor = len(found) - major
    colour = workflow.colour_for(major, minor)
    with step_photos.atomic():
        house = (
            RentalHouse.objects.select_for_update(of=("self",))
            # Not the case: one opened by an inspection that held the lock before this one is not
            # in this statement's join (PostgreSQL re-reads only the locked row), and a second
            # red inspection would open another; house.case reads it after the lock.
            .select_related("household__address", "community", "micro_grid")
            .get(pk=house.pk)
        )
        _check_in_scope(user, house)
        if not house.is_active:
            raise ValidationError({"house": _("该出租屋已停用（不再出租），不能检查")})
        if not workflow.may_change(house.colour, colour):
            raise ValidationError({"hazards": _("三色码不能由此变更")})
        rectify_by = _deadline(house, colour, now)
        next_due = workflow.next_inspection(colour, now)
        inspection = Inspection.objects.create(
            house=house,
            inspector=user,
            inspected_at=now,
            colour=colour,
            major_count=major,
            minor_count=minor,
            occupants=occupants([house.household_id])[house.household_id],
            landlord_acknowledged=landlord_acknowledged,
            acknowledged_by=acknowledged_by,
            note=note,
            rectify_by=rectify_by,
            next_due=next_due,
        )
        Finding.objects.bulk_create(
            Finding(inspection=inspection, item=item, severity=item.severity, note=text)
            for item, text in sorted(found.items(), key=lambda pair: (pair[0].order, pair[0].pk))
        )
        inspection_photos.store(inspection, uploads)
        fields = ["last_inspected_at", "next_inspection_due", "rectify_by"]
        for key, value in particulars.items():
            if getattr(house, key) != value:
                setattr(house, key, value)
                fields.append(key)
        if colour != house.colour:
            ColourChange.objects.create(
                house=house,
                inspection=inspection,
                from_colour=house.colour,
                to_colour=colour,
                user=user,
                at=now,
            )
            house.colour, house.colour_since = colour, now
            fields += ["colour", "colour_since"]
        if colour != Colour.RED and house.escalated_at is not None:
            house.escalated_at = None
            fields.append("escalated_at")
        if colour == Colour.RED and (house.case is None or house.case.status not in OPEN_STATUSES):
            house.case = _open_case(user, house, found, rectify_by, now)
            fields.append("case")
        house.last_inspected_at, house.next_inspection_due = now, next_due
        house.rectify_by = rectify_by
        house.save(update_fields=fields)
    return inspection


def _open_case(user, house, found, rectify_by, now) -> Case:
    category = fire_category()
    if category is None:
        raise ValidationError({"hazards": _("尚未设置“出租屋消防隐患”案件类别，请联系系统管理员")})
    names = "、".join(
        f"{item.name}（{item.get_severity_display()}）"
        for item in sorted(found, key=lambda i: (i.order, i.pk))
    )
    description = _(
        "出租屋消防检查评定为红码：%(address)s。发现隐患：%(items)s。请于%(due)s前整改。"
    ) % {
        "address": house.household.address.normalized,
        "items": names,
        "due": timezone.localtime(rectify_by).strftime("%Y-%m-%d"),
    }
    lon, lat = house_point(house)
    return cases.do_report(
        user=user,
        category=category,
        description=description,
        source=_source_for(user),
        lon=lon,
        lat=lat,
        address=house.household.address.normalized,
        micro_grid=house.micro_grid,
        now=now,
    ).case


# --- overdue reds → 基层约请 ----------------------------------------------------------------------


def overdue_q(now=None, prefix: str = "") -> Q:
    """超期: the next inspection is past due, or a red or yellow house's deadline to put things
    right has passed."""
    now = now or timezone.now()
    return Q(**{f"{prefix}next_inspection_due__lt": now}) | Q(
        **{f"{prefix}colour__in": [Colour.RED, Colour.YELLOW], f"{prefix}rectify_by__lt": now}
    )


def overdue_reds(now=None):
    now = now or timezone.now()
    return RentalHouse.objects.filter(is_active=True, colour=Colour.RED, rectify_by__lt=now)


def _call_in_departments():
    category = fire_category()
    chosen = []
    if category is not None and category.default_department_id:
        chosen.append(category.default_department)
    partners = Category.objects.filter(
        name__in=PARTNER_CATEGORY_NAMES, default_department__is_active=True
    ).select_related("default_department")
    for partner in partners:
        if partner.default_department not in chosen:
            chosen.append(partner.default_department)
    return chosen


def check_overdue(now=None) -> dict:
    """Every red house past its deadline, not yet escalated, goes to 基层约请 on its case (the
    fire office and the 群租 department called in). A case not yet dispatched waits for the next
    run; a refused call-in is logged. Returns counts: called_in, waiting, failed."""
    now = now or timezone.now()
    counts = Counter(called_in=0, waiting=0, failed=0)
    houses = list(
        overdue_reds(now)
        .filter(escalated_at__isnull=True, case__isnull=False)
        .select_related("household__address", "case")
    )
    departments = _call_in_departments()
    for house in houses:
        reason = _("出租屋红码逾期未整改：%(address)s，整改期限%(due)s已过。") % {
            "address": house.household.address.normalized,
            "due": timezone.localtime(house.rectify_by).strftime("%Y-%m-%d"),
        }
        try:
            with transaction.atomic():
                locked = RentalHouse.objects.select_for_update().get(pk=house.pk)
                if locked.escalated_at is not None or locked.colour != Colour.RED:
                    continue
                if not house.case.call_ins.filter(status=CallInStatus.OPEN).exists():
                    cases.do_start_call_in(
                        house.case, None, reason=reason, departments=departments, now=now
                    )
                locked.escalated_at = now
                locked.save(update_fields=["escalated_at"])
            counts["called_in"] += 1
        except cases.IllegalTransition:
            counts["waiting"] += 1
        except ValidationError as error:
            counts["failed"] += 1
            logger.warning("基层约请未能发起（%s）：%s", house.case.number, error.messages)
    return dict(counts)


# --- figures -------------------------------------------------------------------------------------


def coverage(micro_ids) -> dict:
    """一户一码 coverage over micro-grids (None: the street): coded ÷ let self-built households
    of the registry (1,692 in seed 002). Two queries."""
    let = programme_households()
    coded = RentalHouse.objects.filter(
        is_active=True,
        household__use__in=RENTED_USES,
        household__tenure__in=PROGRAMME_TENURES,
    )
    if micro_ids is not None:
        let = let.filter(address__micro_grid__in=micro_ids)
        coded = coded.filter(micro_grid__in=micro_ids)
    registered, done = let.count(), coded.count()
    return {
        "registered": registered,
        "coded": done,
        "ratio": round(done / registered, 4) if registered else None,
    }


def by_colour(houses) -> dict:
    rows = dict(houses.values_list("colour").annotate(n=Count("pk")).values_list("colour", "n"))
    return {
        "green": rows.get(Colour.GREEN, 0),
        "yellow": rows.get(Colour.YELLOW, 0),
        "red": rows.get(Colour.RED, 0),
        "unrated": rows.get("", 0),
    }


def by_village(houses) -> list[dict]:
    """Houses per 居村 by colour. One query."""
    counts = defaultdict(Counter)
    names = {}
    for community_id, name, colour, n in (
        houses.values_list("community_id", "community__name", "colour")
        .annotate(n=Count("pk"))
        .order_by("community__name")
    ):
        counts[community_id][colour or "unrated"] += n
        names[community_id] = name
    return [
        {
            "community_id": cid,
            "name": names[cid],
            "green": c["green"],
            "yellow": c["yellow"],
            "red": c["red"],
            "unrated": c["unrated"],
            "total": sum(c.values()),
        }
        for cid, c in sorted(counts.items(), key=lambda pair: names[pair[0]])
    ]


def _month_ends(today, months):
    ends = []
    year, month = today.year, today.month
    for _i in range(months):
        ends.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    ends.reverse()
    # The end of each month: the first of the next, at midnight local time (this month: today).
    out = []
    for first in ends:
        nxt = workflow.add_months(datetime.datetime.combine(first, datetime.time.min), 1).date()
        stop = min(nxt, today + datetime.timedelta(days=1))
        out.append(
            (
                f"{first:%Y-%m}",
                timezone.make_aware(datetime.datetime.combine(stop, datetime.time.min)),
            )
        )
    return out


def trend(houses, today=None, months=TREND_MONTHS) -> dict:
    """Counts by colour per 居村 at the end of each of the last `months` months (this month:
    now), replayed from the colour history. One query."""
    today = today or timezone.localdate()
    ends = _month_ends(today, months)
    rows = (
        ColourChange.objects.filter(house__in=houses.values("pk"), at__lt=ends[-1][1])
        .order_by("at", "pk")
        .values_list("house_id", "house__community_id", "house__community__name", "to_colour", "at")
    )
    colour_of, community_of, names = {}, {}, {}
    table = {}
    index = 0
    rows = list(rows)
    for label, end in ends:
        while index < len(rows) and rows[index][4] < end:
            house_id, community_id, name, colour, _at = rows[index]
            colour_of[house_id] = colour
            community_of[house_id] = community_id
            names[community_id] = name
            index += 1
        counts = defaultdict(Counter)
        for house_id, colour in colour_of.items():
            counts[community_of[house_id]][colour] += 1
        table[label] = counts
    labels = [label for label, _end in ends]
    villages = [
        {
            "name": names[cid],
            "months": [
                {
                    "month": label,
                    "green": table[label][cid]["green"],
                    "yellow": table[label][cid]["yellow"],
                    "red": table[label][cid]["red"],
                }
                for label in labels
            ],
        }
        for cid in sorted(names, key=lambda c: names[c])
    ]
    totals = [
        {
            "month": label,
            "green": sum(c["green"] for c in table[label].values()),
            "yellow": sum(c["yellow"] for c in table[label].values()),
            "red": sum(c["red"] for c in table[label].values()),
        }
        for label in labels
    ]
    return {"months": labels, "villages": villages, "totals": totals}


def median_red_to_green(houses) -> float | None:
    """Median days from a house turning red to its next green (over the colour history of
    `houses`). One query."""
    rows = (
        ColourChange.objects.filter(house__in=houses.values("pk"))
        .order_by("house_id", "at", "pk")
        .values_list("house_id", "to_colour", "at")
    )
    spans, started, current = [], {}, None
    for house_id, colour, at in rows:
        if house_id != current:
            current = house_id
        if colour == Colour.RED:
            started.setdefault(house_id, at)
        elif colour == Colour.GREEN and house_id in started:
            spans.append((at - started.pop(house_id)).total_seconds() / 86400)
    return round(statistics.median(spans), 1) if spans else None


def due_counts(houses, now=None) -> dict:
    now = now or timezone.now()
    soon = now + datetime.timedelta(days=DUE_SOON_DAYS)
    active = houses.filter(is_active=True)
    return {
        "due": active.filter(next_inspection_due__gte=now, next_inspection_due__lte=soon).count(),
        "overdue": active.filter(next_inspection_due__lt=now).count(),
        "overdue_reds": active.filter(colour=Colour.RED, rectify_by__lt=now).count(),
        "never": active.filter(last_inspected_at__isnull=True).count(),
    }


def _micro_ids(user):
    if user is None or is_fire_office(user):
        return None
    micro = visible_micro_grids(user)
    return None if micro is None else list(micro.values_list("pk", flat=True))


def report(user, now=None) -> dict:
    """Everything the battle map's page and the API's report show, over the user's scope. A
    fixed number of queries."""
    now = now or timezone.now()
    houses = scope_houses(RentalHouse.objects.filter(is_active=True), user)
    return {
        "coverage": coverage(_micro_ids(user)),
        "colours": by_colour(houses),
        "villages": by_village(houses),
        "trend": trend(houses, timezone.localdate(now)),
        "median_red_to_green_days": median_red_to_green(houses),
        **due_counts(houses, now),
    }


def dashboard_tile(micro_ids, first, last, now) -> dict:
    """The dashboard's 出租屋消防 tile for micro-grids `micro_ids` (None: the street): coded
    houses by colour, overdue reds, coverage. Two queries."""
    houses = RentalHouse.objects.filter(is_active=True)
    let = programme_households()
    if micro_ids is not None:
        houses = houses.filter(micro_grid__in=micro_ids)
        let = let.filter(address__micro_grid__in=micro_ids)
    programme = Q(household__use__in=RENTED_USES, household__tenure__in=PROGRAMME_TENURES)
    row = houses.aggregate(
        green=Count("pk", filter=Q(colour=Colour.GREEN)),
        yellow=Count("pk", filter=Q(colour=Colour.YELLOW)),
        red=Count("pk", filter=Q(colour=Colour.RED)),
        unrated=Count("pk", filter=Q(colour="")),
        overdue_reds=Count("pk", filter=Q(colour=Colour.RED, rectify_by__lt=now)),
        programme=Count("pk", filter=programme),
    )
    registered = let.count()
    coded = row.pop("programme")
    return {
        **row,
        "coded": row["green"] + row["yellow"] + row["red"] + row["unrated"],
        "coverage": {
            "registered": registered,
            "coded": coded,
            "ratio": round(coded / registered, 4) if registered else None,
        },
    }


def map_points(houses, url_for) -> list[dict]:
    """The battle map's points: one per house (select_related household__address and
    micro_grid), coloured."""
    out = []
    for house in houses:
        lon, lat = house_point(house)
        if lon is None or lat is None:
            continue
        out.append(
            {
                "id": house.pk,
                "lon": lon,
                "lat": lat,
                "colour": COLOURS_HEX.get(house.colour, "#888"),
                "key": house.colour or "unrated",
                "label": house.household.address.normalized,
                "url": url_for(house),
            }
        )
    return out


def map_outlines(houses, villages, url_for) -> dict:
    """The battle map's 居村 outlines (a FeatureCollection for web/map.js): each 居村 with a house
    in `houses`, its tooltip the 居村's houses by colour (`villages`: by_village's rows), a click
    filtering the page to it (`url_for(grid)`). One query."""
    counts = {v["community_id"]: v for v in villages}
    grids = (
        Grid.objects.filter(pk__in=houses.values("community_id"), geometry__isnull=False)
        .only("pk", "name", "code", "geometry")
        .order_by("code")
    )
    features = []
    for grid in grids:
        row = counts.get(grid.pk)
        label = grid.name
        if row:
            label = _(
                "%(name)s：绿码 %(green)d · 黄码 %(yellow)d · 红码 %(red)d · 未评定 %(unrated)d 户"
            ) % {
                "name": grid.name,
                "green": row["green"],
                "yellow": row["yellow"],
                "red": row["red"],
                "unrated": row["unrated"],
            }
        features.append(
            {
                "type": "Feature",
                "geometry": grid.geometry,
                "properties": {
                    "name": grid.name,
                    "code": grid.code,
                    "label": label,
                    "url": url_for(grid),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def communities_in_scope(user):
    """The 居村 whose houses `user` may see (for the village filter and the label sheets)."""
    houses = scope_houses(RentalHouse.objects.all(), user)
    return Grid.objects.filter(pk__in=houses.values("community_id")).order_by("code")
