"""Every change of the street-shop roll and its 门责 inspections, and the figures built on them.

Each `do_*` runs in one transaction (the shop or block row locked), checks the role
(accounts.policy), the scope (`scope_blocks`/`scope_shops`, built on grids.scoping) and the
state table (shops.workflow) before writing, writes an immutable ShopEvent, and returns what it
did. Bad input raises ValidationError (field → Chinese message), a refused user PermissionDenied;
in both cases nothing is written. `user=None` is a trusted caller (the demo builder).

The half-monthly refresh: for each block and half-month (the 1st–15th, the 16th–end) every shop
in the roll must be confirmed (maybe with a new state), added or closed; the round completes
itself when the last one is done. A failed 门责 item becomes a case through
cases.services.do_report in the item's category, with the inspection's photos as 处置前.
"""

import calendar
import datetime
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import uscc

from civicgrid.accounts.access import require_role
from civicgrid.accounts.choices import Role
from civicgrid.accounts.policy import (
    FULL_PII_ROLES,
    SHOPS_EDIT_ROLES,
    SHOPS_INSPECT_ROLES,
    SHOPS_REFRESH_ROLES,
    SHOPS_VIEW_ROLES,
)
from civicgrid.cases import services as cases
from civicgrid.cases.choices import OPEN_STATUSES, CaseSource
from civicgrid.cases.models import Case
from civicgrid.cases.services import photos as step_photos
from civicgrid.core.masking import mask_phone
from civicgrid.core.text import field_text as _text
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.grids.scoping import visible_micro_grids
from civicgrid.shops.choices import Freshness, Grade, ShopAction, ShopState, Trade
from civicgrid.shops.models import (
    Association,
    Block,
    Inspection,
    InspectionItem,
    InspectionResult,
    RefreshRound,
    Shop,
    ShopDataAccess,
    ShopEvent,
)
from civicgrid.shops.workflow import may_change
from civicgrid.workcalendar.services import add_working_days

MOBILE_OR_LANDLINE = r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{7,8})$"
MAX_NOTE = 300
# Case sources an inspector's case comes in through, the first their role may use.
INSPECTION_SOURCES = (CaseSource.GRID_PATROL, CaseSource.SUPERVISION, CaseSource.DEPARTMENT)
# A shop whose 门责 failed in this many different months of the last REPEAT_WINDOW is listed as a
# repeat offender (屡查屡犯).
REPEAT_MONTHS = 2
REPEAT_WINDOW = 3
TREND_MONTHS = 6
TREND_HALVES = 12


# --- scope ---------------------------------------------------------------------------------------


def _communities_of(micro):
    return Grid.objects.filter(pk__in=micro.values("pk")).values("parent_id")


def scope_blocks(queryset, user, prefix: str = ""):
    """Blocks (or rows hanging off a block through `prefix`, e.g. "block__") the user may see:
    all for street-wide roles, else those of the 居村 of their micro-grids, plus the blocks they
    are the responsible person or deputy of."""
    micro = visible_micro_grids(user)
    if micro is None:
        return queryset
    condition = Q(**{f"{prefix}community__in": _communities_of(micro)})
    if user is not None and user.is_authenticated:
        condition |= Q(**{f"{prefix}responsible": user}) | Q(**{f"{prefix}deputy": user})
    return queryset.filter(condition)


def scope_shops(queryset, user, prefix: str = ""):
    """Shops (or rows hanging off a shop through `prefix`) the user may see: those of the blocks
    they may see."""
    return scope_blocks(queryset, user, prefix=f"{prefix}block__")


def _check_block_visible(user, block):
    if user is not None and not scope_blocks(Block.objects, user).filter(pk=block.pk).exists():
        raise PermissionDenied(_("该区块不在您的管辖范围内"))


def is_block_person(user, block) -> bool:
    return user is not None and user.pk in (block.responsible_id, block.deputy_id)


def may_refresh(user, block) -> bool:
    """Whether `user` may confirm, add and close the shops of `block` in its refresh."""
    if user is None:
        return True
    if user.effective_role not in SHOPS_REFRESH_ROLES or user.is_read_only:
        return False
    return user.effective_role == Role.ADMIN or is_block_person(user, block)


def _check_refresh(user, block):
    if not may_refresh(user, block):
        raise PermissionDenied(_("只有该区块的包干责任人或副责任人可以更新本区块的商铺"))


def may_edit(user, block) -> bool:
    """Editors (SHOPS_EDIT_ROLES in scope) and the block's own people may change shop data."""
    if user is None:
        return True
    if user.is_read_only:
        return False
    if may_refresh(user, block):
        return True
    return (
        user.effective_role in SHOPS_EDIT_ROLES
        and scope_blocks(Block.objects, user).filter(pk=block.pk).exists()
    )


def _check_edit(user, block):
    if not may_edit(user, block):
        raise PermissionDenied(_("您无权修改该区块的商铺信息"))


def my_blocks(user):
    """The active blocks `user` is the responsible person or deputy of."""
    return (
        Block.objects.filter(Q(responsible=user) | Q(deputy=user), is_active=True)
        .select_related("community")
        .order_by("code")
    )


# --- input ---------------------------------------------------------------------------------------


def clean_credit_code(value) -> str:
    """The 统一社会信用代码 (GB 32100) upper-cased and without spaces, checked by its check
    character; "" when empty. ValidationError on the field "credit_code" otherwise."""
    text = (value or "").strip()
    if not text:
        return ""
    try:
        return uscc.validate(text)
    except uscc.InvalidChecksum:
        raise ValidationError(
            {"credit_code": _("统一社会信用代码“%(code)s”的校验码不正确，请核对") % {"code": text}}
        ) from None
    except Exception:  # InvalidLength / InvalidFormat: any other malformed code
        raise ValidationError(
            {
                "credit_code": _(
                    "统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V），“%(code)s”不符合"
                )
                % {"code": text[:40]}
            }
        ) from None


def _phone(value) -> str:
    text = (value or "").strip()
    if text and not re.match(MOBILE_OR_LANDLINE, text):
        raise ValidationError({"operator_phone": _("联系电话格式不正确")})
    return text


def _point(lon, lat):
    if lon in (None, "") and lat in (None, ""):
        return None, None
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError):
        raise ValidationError({"lon": _("经度和纬度须同时填写为数字")}) from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationError({"lon": _("坐标超出范围")})
    return lon, lat


def _block(value) -> Block:
    if value in (None, ""):
        raise ValidationError({"block": _("请选择所属区块：每家商铺都必须归入一个区块")})
    if isinstance(value, Block):
        block = value
    else:
        try:
            block = Block.objects.get(pk=int(value))
        except (TypeError, ValueError, Block.DoesNotExist):
            raise ValidationError(
                {"block": _("区块“%(value)s”不存在") % {"value": value}}
            ) from None
    if not block.is_active:
        raise ValidationError({"block": _("区块“%(name)s”已停用") % {"name": block.name}})
    return block


def _choice(value, choices, field, label):
    if value not in choices.values:
        raise ValidationError({field: _("请选择%(label)s") % {"label": label}})
    return value


def _association(value):
    if value in (None, ""):
        return None
    if isinstance(value, Association):
        return value
    try:
        return Association.objects.get(pk=int(value))
    except (TypeError, ValueError, Association.DoesNotExist):
        raise ValidationError({"association": _("自律联盟不存在")}) from None


# --- half-months ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HalfMonth:
    start: datetime.date
    end: datetime.date

    @property
    def previous(self) -> "HalfMonth":
        return half_month(self.start - datetime.timedelta(days=1))

    def __str__(self):
        return f"{self.start:%Y-%m-%d}–{self.end:%m-%d}"


def half_month(day: datetime.date) -> HalfMonth:
    """The half-month `day` is in: the 1st–15th or the 16th–last day."""
    if day.day <= 15:
        return HalfMonth(day.replace(day=1), day.replace(day=15))
    last = calendar.monthrange(day.year, day.month)[1]
    return HalfMonth(day.replace(day=16), day.replace(day=last))


def _local_day(now) -> datetime.date:
    return timezone.localdate(now)


def _end_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))


def round_for(block, now=None, *, lock=False) -> RefreshRound:
    """The block's refresh round of the half-month of `now` (made on first use); locked for the
    rest of the caller's transaction with `lock`."""
    half = half_month(_local_day(now))
    rounds = RefreshRound.objects.filter(block=block, period_start=half.start)
    rnd = (rounds.select_for_update() if lock else rounds).first()
    if rnd is None:
        try:
            with transaction.atomic():
                rnd = RefreshRound.objects.create(
                    block=block, period_start=half.start, period_end=half.end
                )
        except IntegrityError:  # made at the same moment by someone else
            rnd = (rounds.select_for_update() if lock else rounds).get()
    return rnd


def pending_shops(rnd: RefreshRound):
    """Shops of the round's block still in the roll and not yet confirmed, added or closed in it."""
    done = ShopEvent.objects.filter(round=rnd).values("shop_id")
    return Shop.objects.filter(block_id=rnd.block_id, in_roll=True).exclude(pk__in=done)


def _complete_if_done(rnd: RefreshRound, user, now, *, none_left=False) -> bool:
    if rnd.completed_at is None and (none_left or not pending_shops(rnd).exists()):
        rnd.completed_at = now
        rnd.completed_by = user
        rnd.save(update_fields=["completed_at", "completed_by"])
        return True
    return False


def _event(shop, action, user, now, *, rnd=None, from_state="", to_state="", note="", data=None):
    return ShopEvent.objects.create(
        shop=shop,
        action=action,
        user=user,
        at=now,
        round=rnd,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
    )


# --- blocks and associations ---------------------------------------------------------------------


def do_save_block(
    user,
    *,
    block=None,
    code,
    name,
    community,
    responsible,
    deputy=None,
    geometry=None,
    now=None,
) -> Block:
    """A new block, or changes to one (code, name, 居村, the responsible person and deputy, the
    road segment or polygon as GeoJSON)."""
    require_role(user, SHOPS_EDIT_ROLES, _("您的角色不能维护商铺区块"))
    errors = {}
    try:
        code = _text(code, "code", _("区块编号"), 20, required=True)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        name = _text(name, "name", _("区块名称"), 100, required=True)
    except ValidationError as error:
        errors.update(error.message_dict)
    if not isinstance(community, Grid) or community.level != GridLevel.COMMUNITY:
        errors["community"] = _("区块须归属一个居村")
    if responsible is None:
        errors["responsible"] = _("请指定包干责任人")
    elif deputy is not None and deputy.pk == responsible.pk:
        errors["deputy"] = _("副责任人不能与包干责任人为同一人")
    if geometry is not None and (
        not isinstance(geometry, dict)
        or geometry.get("type") not in ("LineString", "MultiLineString", "Polygon", "MultiPolygon")
    ):
        errors["geometry"] = _("路段或范围须为 GeoJSON 的线或面")
    if errors:
        raise ValidationError(errors)
    if user is not None and visible_micro_grids(user) is not None:
        micro = visible_micro_grids(user)
        if not _communities_of(micro).filter(parent_id=community.pk).exists():
            raise PermissionDenied(_("该居村不在您的管辖范围内"))
    taken = Block.objects.filter(code=code)
    if block is not None:
        taken = taken.exclude(pk=block.pk)
    if taken.exists():
        raise ValidationError({"code": _("区块编号“%(code)s”已被使用") % {"code": code}})
    with transaction.atomic():
        if block is None:
            block = Block(created_at=now or timezone.now())
        else:
            block = Block.objects.select_for_update().get(pk=block.pk)
        block.code, block.name, block.community = code, name, community
        block.responsible, block.deputy, block.geometry = responsible, deputy, geometry
        block.save()
    return block


def do_save_association(
    user,
    *,
    association=None,
    name,
    convention="",
    convention_adopted_on=None,
    founded_on=None,
    head=None,
) -> Association:
    """A self-discipline association (商铺自律联盟) or changes to it; the head (会长单位) must be
    one of its members."""
    require_role(user, SHOPS_EDIT_ROLES, _("您的角色不能维护自律联盟"))
    name = _text(name, "name", _("联盟名称"), 100, required=True)
    convention = _text(convention, "convention", _("自律公约"), 5000)
    taken = Association.objects.filter(name=name)
    if association is not None:
        taken = taken.exclude(pk=association.pk)
    if taken.exists():
        raise ValidationError({"name": _("已有同名的自律联盟")})
    if head is not None and (
        association is None or not Shop.objects.filter(pk=head.pk, association=association).exists()
    ):
        raise ValidationError({"head": _("会长单位须是本联盟的成员")})
    with transaction.atomic():
        if association is None:
            association = Association()
        else:
            association = Association.objects.select_for_update().get(pk=association.pk)
        association.name, association.convention = name, convention
        association.convention_adopted_on = convention_adopted_on
        association.founded_on = founded_on
        association.head = head
        association.save()
    return association


# --- shops ---------------------------------------------------------------------------------------


def _clean_shop(fields: dict, *, association_cache=None) -> dict:
    """The particulars of a new shop, checked; ValidationError with every bad field at once."""
    errors = {}

    def collect(fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ValidationError as error:
            errors.update(error.message_dict)
            return None

    out = {
        "sign_name": collect(
            _text, fields.get("sign_name"), "sign_name", _("店招名称"), 100, required=True
        ),
        "address": collect(_text, fields.get("address"), "address", _("地址"), 200, required=True),
        "trade": collect(_choice, fields.get("trade"), Trade, "trade", _("行业")),
        "state": collect(
            _choice, fields.get("state", ShopState.OPEN), ShopState, "state", _("经营状态")
        ),
        "credit_code": collect(clean_credit_code, fields.get("credit_code", "")),
        "operator_name": collect(
            _text, fields.get("operator_name", ""), "operator_name", _("经营者"), 50
        ),
        "operator_phone": collect(_phone, fields.get("operator_phone", "")),
        "association": collect(_association, fields.get("association")),
        "agreement_date": fields.get("agreement_date"),
    }
    out["lon"], out["lat"] = collect(_point, fields.get("lon"), fields.get("lat")) or (None, None)
    if errors:
        raise ValidationError(errors)
    return out


def do_register_shops(user, *, block, rows, now=None) -> list[Shop]:
    """Shops join the roll (new units of the registry) in one block, all or none: each counts as
    added in the block's current refresh round. A shop must be in a block; a given credit code
    must be valid and not already in the roll (nor twice in `rows`). A bad row raises
    ValidationError naming the row (from 1) when there is more than one."""
    now = now or timezone.now()
    block = _block(block)
    cleaned = []
    for index, fields in enumerate(rows, start=1):
        try:
            cleaned.append(_clean_shop(fields))
        except ValidationError as error:
            if len(rows) == 1:
                raise
            raise ValidationError(
                {
                    field: [_("第%(n)d行：%(m)s") % {"n": index, "m": m} for m in messages]
                    for field, messages in error.message_dict.items()
                }
            ) from None
    if not cleaned:
        return []
    _check_edit(user, block)
    codes = [c["credit_code"] for c in cleaned if c["credit_code"]]
    taken = set(
        Shop.objects.filter(credit_code__in=codes, in_roll=True).values_list(
            "credit_code", flat=True
        )
    )
    twice = {code for code in codes if codes.count(code) > 1}
    if taken or twice:
        code = sorted(taken or twice)[0]
        raise ValidationError(
            {"credit_code": _("统一社会信用代码“%(code)s”已登记在册") % {"code": code}}
        )
    with transaction.atomic():
        Block.objects.select_for_update().filter(pk=block.pk).first()
        shops = Shop.objects.bulk_create(
            Shop(
                block=block,
                registered_at=now,
                last_confirmed_at=now,
                last_confirmed_by=user,
                **fields,
            )
            for fields in cleaned
        )
        rnd = round_for(block, now, lock=True)
        ShopEvent.objects.bulk_create(
            ShopEvent(
                shop=shop,
                action=ShopAction.REGISTER,
                user=user,
                at=now,
                round=rnd,
                to_state=shop.state,
            )
            for shop in shops
        )
        _complete_if_done(rnd, user, now)
    return shops


def do_register_shop(user, *, block, now=None, **fields) -> Shop:
    """A shop joins the roll (see do_register_shops): sign_name, address, trade, and optionally
    lon, lat, credit_code, operator_name, operator_phone, state, association, agreement_date."""
    return do_register_shops(user, block=block, rows=[fields], now=now)[0]


def do_add_members(user, association, shops, *, now=None) -> int:
    """Shops join an association together (its founding members, a street signing up at once);
    shops already in it are left alone. Returns how many joined."""
    now = now or timezone.now()
    require_role(user, SHOPS_EDIT_ROLES, _("您的角色不能维护自律联盟"))
    ids = [getattr(shop, "pk", shop) for shop in shops]
    with transaction.atomic():
        association = Association.objects.select_for_update().get(pk=association.pk)
        base = Shop.objects.select_for_update(of=("self",)).filter(pk__in=ids, in_roll=True)
        if user is not None:
            base = scope_shops(base, user)
        eligible = list(base.values_list("pk", "association_id"))
        if len(eligible) != len(set(ids)):
            raise ValidationError({"shops": _("有商铺不在您的管辖范围内或已注销")})
        joining = [pk for pk, current in eligible if current != association.pk]
        Shop.objects.filter(pk__in=joining).update(association=association)
        ShopEvent.objects.bulk_create(
            ShopEvent(
                shop_id=pk,
                action=ShopAction.JOIN,
                user=user,
                at=now,
                data={"association": association.pk},
            )
            for pk in joining
        )
    return len(joining)


EDITABLE_FIELDS = (
    "sign_name",
    "address",
    "trade",
    "lon",
    "lat",
    "credit_code",
    "operator_name",
    "operator_phone",
    "agreement_date",
)


def do_update_shop(user, shop: Shop, *, now=None, **fields) -> Shop:
    """Changes to a shop's particulars (not its state: do_change_state; not its block)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({f: _("该字段不能在此修改") for f in sorted(unknown)})
    now = now or timezone.now()
    cleaned = {}
    errors = {}
    checks = {
        "sign_name": lambda v: _text(v, "sign_name", _("店招名称"), 100, required=True),
        "address": lambda v: _text(v, "address", _("地址"), 200, required=True),
        "trade": lambda v: _choice(v, Trade, "trade", _("行业")),
        "credit_code": clean_credit_code,
        "operator_name": lambda v: _text(v, "operator_name", _("经营者"), 50),
        "operator_phone": _phone,
        "agreement_date": lambda v: v,
    }
    for name, value in fields.items():
        if name in ("lon", "lat"):
            continue
        try:
            cleaned[name] = checks[name](value)
        except ValidationError as error:
            errors.update(error.message_dict)
    if "lon" in fields or "lat" in fields:
        try:
            cleaned["lon"], cleaned["lat"] = _point(
                fields.get("lon", shop.lon), fields.get("lat", shop.lat)
            )
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        shop = Shop.objects.select_for_update().get(pk=shop.pk)
        _check_edit(user, shop.block)
        code = cleaned.get("credit_code")
        if (
            code
            and Shop.objects.filter(credit_code=code, in_roll=True).exclude(pk=shop.pk).exists()
        ):
            raise ValidationError(
                {"credit_code": _("统一社会信用代码“%(code)s”已登记在册") % {"code": code}}
            )
        changed = {k: v for k, v in cleaned.items() if getattr(shop, k) != v}
        if not changed:
            return shop
        for key, value in changed.items():
            setattr(shop, key, value)
        shop.save(update_fields=list(changed))
        # Personal data never goes into the history in full.
        logged = {
            k: ("***" if k in ("operator_name", "operator_phone") else str(v))
            for k, v in changed.items()
        }
        _event(shop, ShopAction.UPDATE, user, now, data=logged)
    return shop


def _lock_shop(shop) -> Shop:
    return Shop.objects.select_for_update().select_related("block").get(pk=shop.pk)


def do_confirm_shop(user, shop: Shop, *, state=None, note="", now=None) -> ShopEvent:
    """The block's person saw the shop this half-month: unchanged, or in a new `state` (checked
    against the transition table). Counts for the round; completes it when it was the last."""
    now = now or timezone.now()
    note = _text(note, "note", _("说明"), MAX_NOTE)
    if state not in (None, ""):
        _choice(state, ShopState, "state", _("经营状态"))
    with transaction.atomic():
        shop = _lock_shop(shop)
        _check_refresh(user, shop.block)
        if not shop.in_roll:
            raise ValidationError({"shop": _("该商铺已注销")})
        rnd = round_for(shop.block, now, lock=True)
        if state in (None, "") or state == shop.state:
            event = _event(shop, ShopAction.CONFIRM, user, now, rnd=rnd, note=note)
        else:
            if not may_change(shop.state, state):
                raise ValidationError(
                    {
                        "state": _("商铺不能从“%(a)s”直接变为“%(b)s”")
                        % {"a": shop.get_state_display(), "b": ShopState(state).label}
                    }
                )
            event = _event(
                shop,
                ShopAction.CHANGE_STATE,
                user,
                now,
                rnd=rnd,
                from_state=shop.state,
                to_state=state,
                note=note,
            )
            shop.state = state
        shop.last_confirmed_at, shop.last_confirmed_by = now, user
        shop.save(update_fields=["state", "last_confirmed_at", "last_confirmed_by"])
        _complete_if_done(rnd, user, now)
    return event


def do_change_state(user, shop: Shop, *, state, note="", now=None) -> ShopEvent:
    """A state change recorded at the desk or by the block's person (营业 → 歇业 …), checked
    against the transition table."""
    now = now or timezone.now()
    _choice(state, ShopState, "state", _("经营状态"))
    note = _text(note, "note", _("说明"), MAX_NOTE)
    with transaction.atomic():
        shop = _lock_shop(shop)
        _check_edit(user, shop.block)
        if not shop.in_roll:
            raise ValidationError({"shop": _("该商铺已注销")})
        if not may_change(shop.state, state):
            raise ValidationError(
                {
                    "state": _("商铺不能从“%(a)s”直接变为“%(b)s”")
                    % {"a": shop.get_state_display(), "b": ShopState(state).label}
                }
            )
        rnd = round_for(shop.block, now, lock=True) if may_refresh(user, shop.block) else None
        event = _event(
            shop,
            ShopAction.CHANGE_STATE,
            user,
            now,
            rnd=rnd,
            from_state=shop.state,
            to_state=state,
            note=note,
        )
        shop.state = state
        fields = ["state"]
        if rnd is not None:
            shop.last_confirmed_at, shop.last_confirmed_by = now, user
            fields += ["last_confirmed_at", "last_confirmed_by"]
        shop.save(update_fields=fields)
        if rnd is not None:
            _complete_if_done(rnd, user, now)
    return event


def do_close_shop(user, shop: Shop, *, note, now=None) -> ShopEvent:
    """The shop is gone (注销): it leaves the roll with a reason; counts for the round."""
    now = now or timezone.now()
    note = _text(note, "note", _("注销原因"), MAX_NOTE, required=True)
    with transaction.atomic():
        shop = _lock_shop(shop)
        if not (may_refresh(user, shop.block) or may_edit(user, shop.block)):
            raise PermissionDenied(_("您无权注销该区块的商铺"))
        if not shop.in_roll:
            raise ValidationError({"shop": _("该商铺已注销")})
        rnd = round_for(shop.block, now, lock=True)
        event = _event(shop, ShopAction.CLOSE, user, now, rnd=rnd, from_state=shop.state, note=note)
        shop.in_roll = False
        shop.save(update_fields=["in_roll"])
        _complete_if_done(rnd, user, now)
    return event


def do_confirm_rest(user, block: Block, *, now=None) -> int:
    """“其余均无变化”: every shop of the block not yet seen this half-month is confirmed unchanged
    in one tap at the end of the walk; the round completes. Returns how many were confirmed."""
    now = now or timezone.now()
    _check_refresh(user, block)
    with transaction.atomic():
        # The round's lock keeps two confirmations of the block's shops from crossing.
        rnd = round_for(block, now, lock=True)
        rest = list(pending_shops(rnd).values_list("pk", flat=True))
        ShopEvent.objects.bulk_create(
            ShopEvent(shop_id=pk, action=ShopAction.CONFIRM, user=user, at=now, round=rnd)
            for pk in rest
        )
        Shop.objects.filter(pk__in=rest).update(last_confirmed_at=now, last_confirmed_by=user)
        _complete_if_done(rnd, user, now, none_left=True)
    return len(rest)


def do_set_association(user, shop: Shop, association, *, now=None) -> ShopEvent | None:
    """The shop joins an association (or leaves its own with None)."""
    now = now or timezone.now()
    association = _association(association)
    with transaction.atomic():
        shop = _lock_shop(shop)
        _check_edit(user, shop.block)
        if shop.association_id == (association.pk if association else None):
            return None
        if association is None:
            Association.objects.filter(head=shop).update(head=None)
            event = _event(
                shop, ShopAction.LEAVE, user, now, data={"association": shop.association_id}
            )
        else:
            event = _event(shop, ShopAction.JOIN, user, now, data={"association": association.pk})
        shop.association = association
        shop.save(update_fields=["association"])
    return event


def reveal_operator(user, shop: Shop, *, channel: str) -> dict:
    """The operator's full name and phone, for roles that need them (FULL_PII_ROLES) in scope;
    each view is a ShopDataAccess row."""
    if user.effective_role not in FULL_PII_ROLES:
        raise PermissionDenied(_("您的角色无权查看经营者完整联系方式"))
    if not scope_shops(Shop.objects, user).filter(pk=shop.pk).exists():
        raise PermissionDenied(_("该商铺不在您的管辖范围内"))
    ShopDataAccess.objects.create(user=user, shop=shop, channel=channel[:100])
    return {"operator_name": shop.operator_name, "operator_phone": shop.operator_phone}


def masked_phone(shop: Shop) -> str:
    return mask_phone(shop.operator_phone)


# --- 门责 inspections ----------------------------------------------------------------------------


def active_items():
    return InspectionItem.objects.filter(is_active=True).select_related("category")


def _source_for(user) -> str:
    if user is None:
        return CaseSource.GRID_PATROL
    allowed = cases.SOURCES_BY_ROLE.get(user.effective_role, [])
    for source in INSPECTION_SOURCES:
        if source in allowed:
            return source
    return allowed[0] if allowed else CaseSource.GRID_PATROL


def _clean_results(results, items, required):
    """{item id: {"passed": bool, "note": str}} → {item: (passed, note)}; every required item."""
    by_id = {item.pk: item for item in items}
    cleaned, errors = {}, {}
    for raw_id, value in (results or {}).items():
        try:
            item = by_id[int(raw_id)]
        except (TypeError, ValueError, KeyError):
            errors["results"] = _("检查项“%(id)s”不存在或已停用") % {"id": raw_id}
            continue
        if isinstance(value, dict):
            passed, note = value.get("passed"), value.get("note", "")
        else:
            passed, note = value, ""
        if passed not in (True, False):
            errors["results"] = _("请为“%(name)s”选择合格或不合格") % {"name": item.name}
            continue
        try:
            note = _text(note, "results", item.name, MAX_NOTE, required=not passed)
        except ValidationError:
            errors["results"] = _("“%(name)s”不合格，请写明情况（不超过%(n)s字）") % {
                "name": item.name,
                "n": MAX_NOTE,
            }
            continue
        cleaned[item] = (passed, note)
    missing = [item.name for item in required if item not in cleaned]
    if missing and "results" not in errors:
        errors["results"] = _("还有检查项未填写：%s") % "、".join(missing)
    if errors:
        raise ValidationError(errors)
    return cleaned


def do_inspect(
    user, shop: Shop, *, results, note="", photos=(), reinspection_of=None, now=None
) -> Inspection:
    """门责检查 of one shop: each active item passed or failed (a failure with a note). Each failed
    item opens a case in its category (the photos go with the first as 处置前) and the inspection
    gets a re-inspection date. A re-inspection (`reinspection_of`) checks the items that failed;
    an item failing again keeps its case while that is open."""
    now = now or timezone.now()
    require_role(user, SHOPS_INSPECT_ROLES, _("您的角色不能进行门责检查"))
    note = _text(note, "note", _("备注"), MAX_NOTE)
    uploads = step_photos.prepared(photos)
    items = list(active_items())
    required = items
    original = None
    if reinspection_of is not None:
        original = (
            Inspection.objects.filter(pk=getattr(reinspection_of, "pk", reinspection_of))
            .prefetch_related("results__item__category")
            .first()
        )
        if original is None or original.shop_id != shop.pk:
            raise ValidationError({"reinspection_of": _("要复查的检查不是这家商铺的")})
        if original.reinspection_of_id is not None:
            raise ValidationError({"reinspection_of": _("请选择最初的那次检查进行复查")})
        failed_before = {r.item for r in original.results.all() if not r.passed}
        if not failed_before:
            raise ValidationError({"reinspection_of": _("该次检查全部合格，无需复查")})
        items = list({*items, *failed_before})
        required = sorted(failed_before, key=lambda i: (i.order, i.pk))
    if not items:
        raise ValidationError({"results": _("尚未设置门责检查项")})
    cleaned = _clean_results(results, items, required)
    open_cases = {}
    if original is not None:
        for r in original.results.all():
            if not r.passed and r.case_id:
                open_cases[r.item_id] = r.case_id
        for later in original.reinspections.prefetch_related("results"):
            for r in later.results.all():
                if not r.passed and r.case_id:
                    open_cases[r.item_id] = r.case_id
        still_open = set(
            Case.objects.filter(pk__in=open_cases.values(), status__in=OPEN_STATUSES).values_list(
                "pk", flat=True
            )
        )
        open_cases = {k: v for k, v in open_cases.items() if v in still_open}
    with step_photos.atomic():
        shop = _lock_shop(shop)
        if user is not None and not scope_shops(Shop.objects, user).filter(pk=shop.pk).exists():
            raise PermissionDenied(_("该商铺不在您的管辖范围内"))
        if not shop.in_roll:
            raise ValidationError({"shop": _("该商铺已注销，不能检查")})
        failed = [item for item, (passed, _n) in cleaned.items() if not passed]
        reinspect_by = None
        if failed:
            reinspect_by = add_working_days(now, settings.CIVICGRID_SHOPS_REINSPECT_WORKING_DAYS).at
        inspection = Inspection.objects.create(
            shop=shop,
            inspector=user,
            inspected_at=now,
            passed=not failed,
            note=note,
            reinspection_of=original,
            reinspect_by=reinspect_by,
        )
        source = _source_for(user)
        rows = []
        first_case = True
        for item in sorted(cleaned, key=lambda i: (i.order, i.pk)):
            passed, item_note = cleaned[item]
            case_id = None
            if not passed:
                case_id = open_cases.get(item.pk)
                if case_id is None:
                    description = _(
                        "门责检查：%(shop)s（%(address)s）“%(item)s”不合格。%(note)s"
                    ) % {
                        "shop": shop.sign_name,
                        "address": shop.address,
                        "item": item.name,
                        "note": item_note,
                    }
                    case_id = cases.do_report(
                        user=user,
                        category=item.category,
                        description=description,
                        source=source,
                        lon=shop.lon,
                        lat=shop.lat,
                        address=shop.address,
                        photos=uploads if first_case else (),
                        now=now,
                    ).case.pk
                    first_case = False
            rows.append(
                InspectionResult(
                    inspection=inspection, item=item, passed=passed, note=item_note, case_id=case_id
                )
            )
        InspectionResult.objects.bulk_create(rows)
    return inspection


def due_reinspections(queryset=None):
    """First inspections with a failure that no re-inspection has passed yet (soonest due first)."""
    queryset = Inspection.objects.all() if queryset is None else queryset
    return (
        queryset.filter(passed=False, reinspection_of__isnull=True)
        .exclude(reinspections__passed=True)
        .order_by("reinspect_by", "pk")
    )


# --- grades, repeat offenders --------------------------------------------------------------------


def month_bounds(first: datetime.date):
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    return start, _end_of_day(last)


def month_start(day: datetime.date, back: int = 0) -> datetime.date:
    index = day.year * 12 + day.month - 1 - back
    return datetime.date(index // 12, index % 12 + 1, 1)


def monthly_grades(shop_ids, month: datetime.date) -> dict:
    """门责 grade per shop for the month of `month` (shops inspected in it): A every item passed;
    B exactly one failure, which a re-inspection passed by its date; C otherwise. Two queries."""
    start, end = month_bounds(month_start(month))
    rows = InspectionResult.objects.filter(
        inspection__inspected_at__range=(start, end), inspection__shop_id__in=shop_ids
    ).values_list(
        "inspection__shop_id",
        "inspection_id",
        "inspection__reinspection_of_id",
        "inspection__reinspect_by",
        "item_id",
        "passed",
    )
    inspected, failures = set(), defaultdict(list)
    for shop_id, inspection_id, of_id, due, item_id, passed in rows:
        inspected.add(shop_id)
        if not passed:
            failures[shop_id].append((inspection_id, of_id, due, item_id))
    single = {
        f[0][0]: (shop_id, f[0][2], f[0][3])
        for shop_id, f in failures.items()
        if len(f) == 1 and f[0][1] is None
    }
    fixed = set()
    if single:
        for of_id, at, item_id in InspectionResult.objects.filter(
            inspection__reinspection_of_id__in=list(single), passed=True
        ).values_list("inspection__reinspection_of_id", "inspection__inspected_at", "item_id"):
            shop_id, due, failed_item = single[of_id]
            if item_id == failed_item and due is not None and at <= due:
                fixed.add(shop_id)
    grades = {}
    for shop_id in inspected:
        if not failures.get(shop_id):
            grades[shop_id] = Grade.A
        elif shop_id in fixed:
            grades[shop_id] = Grade.B
        else:
            grades[shop_id] = Grade.C
    return grades


def repeat_offenders(shops, today=None, *, limit=None) -> list[dict]:
    """Shops (of the queryset `shops`) whose 门责 failed in at least REPEAT_MONTHS different months
    of the last REPEAT_WINDOW (this month included), most failures first. One query."""
    today = today or timezone.localdate()
    start, _end = month_bounds(month_start(today, REPEAT_WINDOW - 1))
    rows = InspectionResult.objects.filter(
        passed=False,
        inspection__reinspection_of__isnull=True,
        inspection__inspected_at__gte=start,
        inspection__shop__in=shops,
    ).values_list(
        "inspection__shop_id",
        "inspection__shop__sign_name",
        "inspection__shop__address",
        "inspection__inspected_at",
    )
    months, count, names = defaultdict(set), Counter(), {}
    for shop_id, sign, address, at in rows:
        local = timezone.localtime(at)
        months[shop_id].add((local.year, local.month))
        count[shop_id] += 1
        names[shop_id] = (sign, address)
    out = [
        {
            "shop_id": shop_id,
            "sign_name": names[shop_id][0],
            "address": names[shop_id][1],
            "months": len(m),
            "failures": count[shop_id],
        }
        for shop_id, m in months.items()
        if len(m) >= REPEAT_MONTHS
    ]
    out.sort(key=lambda r: (-r["failures"], -r["months"], r["sign_name"]))
    return out[:limit] if limit else out


# --- freshness and reports -----------------------------------------------------------------------


def freshness(blocks, today=None) -> dict:
    """Block id → Freshness for today: FRESH when this half-month's round is complete, or the
    last one is and the end is not near; YELLOW within CIVICGRID_SHOPS_YELLOW_DAYS of the end
    with the round not complete; RED when the last half-month ended with its round incomplete
    (until this one is complete; a block set up this half-month is not judged on the last one).
    One query (blocks: block objects with their created_at)."""
    today = today or timezone.localdate()
    half = half_month(today)
    prev = half.previous
    ids = [b.pk for b in blocks]
    done = set(
        RefreshRound.objects.filter(
            block_id__in=ids,
            period_start__in=[half.start, prev.start],
            completed_at__isnull=False,
        ).values_list("block_id", "period_start")
    )
    near_end = (half.end - today).days < settings.CIVICGRID_SHOPS_YELLOW_DAYS
    began = timezone.make_aware(datetime.datetime.combine(half.start, datetime.time.min))
    new = {b.pk for b in blocks if b.created_at >= began}
    out = {}
    for block_id in ids:
        if (block_id, half.start) in done:
            out[block_id] = Freshness.FRESH
        elif (block_id, prev.start) not in done and block_id not in new:
            out[block_id] = Freshness.RED
        elif near_end:
            out[block_id] = Freshness.YELLOW
        else:
            out[block_id] = Freshness.FRESH
    return out


def freshness_summary(blocks, today=None) -> dict:
    states = freshness(blocks, today)
    counts = Counter(states.values())
    total = len(states)
    return {
        "total": total,
        "fresh": counts[Freshness.FRESH],
        "yellow": counts[Freshness.YELLOW],
        "red": counts[Freshness.RED],
        "ratio": round(counts[Freshness.FRESH] / total, 4) if total else None,
        "states": states,
    }


def freshness_trend(blocks, today=None, halves=TREND_HALVES) -> list[dict]:
    """Per past half-month (oldest first): blocks whose round was complete by the half-month's
    end (on time) ÷ blocks, and how many missed it (逾期未完成). One query."""
    today = today or timezone.localdate()
    ids = [b.pk for b in blocks]
    periods = []
    half = half_month(today).previous
    for _i in range(halves):
        periods.append(half)
        half = half.previous
    periods.reverse()
    rows = RefreshRound.objects.filter(
        block_id__in=ids,
        period_start__gte=periods[0].start,
        period_start__lte=periods[-1].start,
        completed_at__isnull=False,
    ).values_list("period_start", "period_end", "completed_at")
    on_time = Counter(start for start, end, completed in rows if completed <= _end_of_day(end))
    total = len(ids)
    return [
        {
            "start": p.start.isoformat(),
            "end": p.end.isoformat(),
            "on_time": on_time[p.start],
            "late": total - on_time[p.start],
            "ratio": round(on_time[p.start] / total, 4) if total else None,
        }
        for p in periods
    ]


def pass_rates(shops, today=None, months=TREND_MONTHS) -> list[dict]:
    """Per month (oldest first): first inspections (not re-inspections) and how many passed every
    item. One query."""
    today = today or timezone.localdate()
    first = month_start(today, months - 1)
    start, _end = month_bounds(first)
    rows = Inspection.objects.filter(
        shop__in=shops, reinspection_of__isnull=True, inspected_at__gte=start
    ).values_list("inspected_at", "passed")
    total, passed = Counter(), Counter()
    for at, ok in rows:
        local = timezone.localtime(at)
        key = (local.year, local.month)
        total[key] += 1
        passed[key] += bool(ok)
    out = []
    for back in range(months - 1, -1, -1):
        m = month_start(today, back)
        key = (m.year, m.month)
        out.append(
            {
                "month": f"{m:%Y-%m}",
                "inspections": total[key],
                "passed": passed[key],
                "rate": round(passed[key] / total[key], 4) if total[key] else None,
            }
        )
    return out


def report(user, today=None) -> dict:
    """Everything the report page and the API's report show, over the user's scope: freshness
    (fresh blocks ÷ blocks), shops by state, trade and association, 门责 pass rate by month,
    last month's grades, repeat offenders. A fixed number of queries."""
    today = today or timezone.localdate()
    blocks = list(scope_blocks(Block.objects.filter(is_active=True), user).only("pk", "created_at"))
    shops = scope_shops(Shop.objects.filter(in_roll=True), user)
    by_state = dict(shops.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    by_trade = dict(shops.values_list("trade").annotate(n=Count("pk")).values_list("trade", "n"))
    by_association = list(
        shops.exclude(association__isnull=True)
        .values_list("association__name")
        .annotate(n=Count("pk"))
        .order_by("association__name")
    )
    last_month = month_start(today, 1)
    grades = Counter(monthly_grades(shops.values("pk"), last_month).values())
    summary = freshness_summary(blocks, today)
    return {
        "today": today,
        "freshness": {k: v for k, v in summary.items() if k != "states"},
        "freshness_trend": freshness_trend(blocks, today),
        "shops": sum(by_state.values()),
        "by_state": [
            {"key": s.value, "label": str(s.label), "count": by_state.get(s.value, 0)}
            for s in ShopState
        ],
        "by_trade": [
            {"key": t.value, "label": str(t.label), "count": by_trade.get(t.value, 0)}
            for t in Trade
        ],
        "by_association": [{"name": name, "count": n} for name, n in by_association],
        "unaffiliated": sum(by_state.values()) - sum(n for _name, n in by_association),
        "pass_rates": pass_rates(shops, today),
        "grades_month": f"{last_month:%Y-%m}",
        "grades": {g.value: grades.get(g.value, 0) for g in Grade},
        "repeat_offenders": repeat_offenders(shops, today, limit=20),
    }


def tile(micro_ids, today=None) -> dict:
    """The dashboard's 沿街商铺 tile for a scope given as micro-grid ids (None: the whole street):
    freshness, shops in the roll and this month's 门责 pass rate. Four queries."""
    today = today or timezone.localdate()
    blocks = Block.objects.filter(is_active=True)
    if micro_ids is not None:
        blocks = blocks.filter(
            community__in=Grid.objects.filter(pk__in=micro_ids).values("parent_id")
        )
    blocks = list(blocks.only("pk", "created_at"))
    summary = freshness_summary(blocks, today)
    shops = Shop.objects.filter(in_roll=True, block__in=[b.pk for b in blocks])
    count = shops.count()
    rates = pass_rates(shops, today, months=1)[0]
    return {
        "blocks": summary["total"],
        "fresh": summary["fresh"],
        "yellow": summary["yellow"],
        "red": summary["red"],
        "ratio": summary["ratio"],
        "shops": count,
        "inspections": rates["inspections"],
        "pass_rate": rates["rate"],
    }


def may_view(user) -> bool:
    return user is not None and user.is_authenticated and user.effective_role in SHOPS_VIEW_ROLES
