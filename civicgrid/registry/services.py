"""Every change to the registries, the full views of personal data and the figures.

Views, serializers, the admin and the import only call these functions. Each change runs in one
transaction and validates first (model `full_clean`), so bad input leaves nothing behind.
"""

import logging
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.grids.scoping import scope_by_micro_grid, visible_grids, visible_micro_grids
from civicgrid.registry.addresses import (
    AddressParts,
    clean_parts,
    normalize_search_text,
    parse_address,
)
from civicgrid.registry.choices import RENTED_USES, DwellingUse, PiiField, Tenure
from civicgrid.registry.models import (
    Address,
    Household,
    PersonalDataAccess,
    RentalRegistration,
    Resident,
)
from civicgrid.registry.permissions import (
    ensure_may_reveal,
    ensure_may_write,
)

security_log = logging.getLogger("civicgrid.security")

# Where each registry model hangs off its micro-grid, for scope_by_micro_grid.
SCOPE_FIELD = {
    Address: "micro_grid",
    Household: "address__micro_grid",
    Resident: "household__address__micro_grid",
    PersonalDataAccess: "resident__household__address__micro_grid",
    RentalRegistration: "household__address__micro_grid",
}


# The estates app sits above the registry and hands it its matcher (EstatesConfig.ready): a
# function Address -> Estate | None that fills Address.estate when an address is created.
_estate_matcher = None


def use_estate_matcher(matcher):
    global _estate_matcher
    _estate_matcher = matcher


def scoped(model, user, queryset=None):
    """The rows of `model` the user may see (one place for every page and endpoint)."""
    qs = model.objects.all() if queryset is None else queryset
    return scope_by_micro_grid(qs, user, SCOPE_FIELD[model])


def visible_building_groups(user=None):
    """Building groups the user may attach addresses to; all of them when user is None."""
    qs = Grid.objects.filter(level=GridLevel.BUILDING_GROUP)
    if user is None:
        return qs
    micro = visible_micro_grids(user)
    return qs if micro is None else qs.filter(parent__in=micro.values("pk"))


def _in_scope(user, micro_grid_id) -> bool:
    if user is None:
        return True
    micro = visible_micro_grids(user)
    return micro is None or micro.filter(pk=micro_grid_id).exists()


def _ensure_micro_grid_in_scope(user, micro_grid_id):
    if micro_grid_id is not None and not _in_scope(user, micro_grid_id):
        raise PermissionDenied(_("该楼组/地址不在您的管辖范围内"))


# --- addresses, households, residents -----------------------------------------------------------


def _parts_of(text_or_parts) -> AddressParts:
    if isinstance(text_or_parts, AddressParts):
        return clean_parts(**text_or_parts.as_dict())
    if isinstance(text_or_parts, dict):
        return clean_parts(**text_or_parts)
    return parse_address(text_or_parts)


def build_address(text_or_parts, building_group) -> Address:
    """An unsaved Address with `normalized` and `micro_grid` filled in, for bulk_create (which
    bypasses Address.save). The demo generator uses it; it does not check for duplicates."""
    parts = _parts_of(text_or_parts)
    return Address(
        building_group=building_group,
        micro_grid_id=building_group.parent_id,
        normalized=parts.normalized,
        **parts.as_dict(),
    )


def find_or_create_address(text_or_parts, building_group, *, user=None) -> tuple[Address, bool]:
    """The one Address for this text (or AddressParts) — created under `building_group` if new.

    An address already registered under another building group is an error rather than silently
    moving it: the grid of every household there would change.
    """
    parts = _parts_of(text_or_parts)
    if building_group is None or building_group.level != GridLevel.BUILDING_GROUP:
        raise ValidationError({"building_group": _("请选择地址所在的楼组")})
    ensure_may_write(user)
    _ensure_micro_grid_in_scope(user, building_group.parent_id)
    with transaction.atomic():
        existing = Address.objects.filter(normalized=parts.normalized).first()
        if existing is not None:
            if existing.building_group_id != building_group.pk:
                if not _in_scope(user, existing.micro_grid_id):
                    # Where an address outside the user's grids is registered is not theirs to
                    # learn (it was an oracle for the grid tree behind every address).
                    raise ValidationError(
                        {
                            "building_group": _(
                                "地址“%(addr)s”已由其他网格登记，如需调整请联系城运中心"
                            )
                            % {"addr": existing.normalized}
                        }
                    )
                raise ValidationError(
                    {
                        "building_group": _("地址“%(addr)s”已登记在楼组%(code)s下")
                        % {"addr": existing.normalized, "code": existing.building_group.code}
                    }
                )
            return existing, False
        address = Address(building_group=building_group, **parts.as_dict())
        address.full_clean(exclude=["normalized", "micro_grid"])
        address.micro_grid_id = building_group.parent_id
        if _estate_matcher is not None and address.estate_id is None:
            address.estate = _estate_matcher(address)
        address.save()
        return address, True


def save_address(address: Address, *, user=None) -> Address:
    ensure_may_write(user)
    with transaction.atomic():
        if address.building_group_id:
            _ensure_micro_grid_in_scope(user, address.building_group.parent_id)
        address.full_clean(exclude=["normalized", "micro_grid"])
        address.save()
    return address


def save_household(household: Household, *, user=None) -> Household:
    ensure_may_write(user)
    with transaction.atomic():
        if household.address_id:
            _ensure_micro_grid_in_scope(user, household.address.micro_grid_id)
        household.full_clean()
        household.save()
    return household


def check_document_unique(resident: Resident, user) -> None:
    """One resident per document. A clash inside the user's grids names the resident (they can see
    them anyway); a clash outside says only that the number is registered elsewhere, and the
    check is logged as a view of that resident's ID number — so guessing numbers leaves a trail
    and never learns whose number or where."""
    from civicgrid.registry.validators import normalize_id_number

    number = normalize_id_number(resident.id_number)
    if not number:
        return
    other = (
        Resident.objects.filter(id_type=resident.id_type, id_number=number)
        .exclude(pk=resident.pk)
        .select_related("household__address")
        .first()
    )
    if other is None:
        return
    if _in_scope(user, other.household.address.micro_grid_id):
        raise ValidationError(
            {
                "id_number": _("该证件号码已登记为居民%(name)s(%(addr)s)")
                % {"name": other.name, "addr": other.household.address.normalized}
            }
        )
    security_log.warning(
        "duplicate ID check outside scope: user=%s resident=%s", getattr(user, "pk", None), other.pk
    )
    if user is not None and user.is_authenticated:
        # Called before the save's own transaction, so the row stays when the save is refused.
        PersonalDataAccess.objects.create(
            user=user, resident=other, field=PiiField.ID_NUMBER, channel="duplicate_check"
        )
    raise ValidationError(
        {
            "id_number": _(
                "该证件号码已在其他居村登记；居民迁入本辖区的，请联系城运中心办理迁移（本次核查已留痕）"
            )
        }
    )


def save_resident(resident: Resident, *, user=None) -> Resident:
    ensure_may_write(user)
    if resident.household_id:
        _ensure_micro_grid_in_scope(user, resident.household.address.micro_grid_id)
    check_document_unique(resident, user)
    with transaction.atomic():
        if resident.household_id:
            _ensure_micro_grid_in_scope(user, resident.household.address.micro_grid_id)
        resident.full_clean()
        resident.save()
    return resident


def delete_object(obj, *, user=None):
    """Delete an address/household/resident that nothing depends on (PROTECT says otherwise)."""
    from django.db.models import ProtectedError

    ensure_may_write(user)
    try:
        with transaction.atomic():
            obj.delete()
    except ProtectedError as exc:
        raise ValidationError(_("“%(obj)s”仍有关联数据，不能删除") % {"obj": obj}) from exc


# --- rentals ------------------------------------------------------------------------------------


def do_register_rental(
    household: Household,
    *,
    start_date,
    end_date=None,
    landlord: Resident | None = None,
    landlord_name: str = "",
    landlord_phone: str = "",
    tenants=(),
    user=None,
) -> RentalRegistration:
    """Register a letting (租赁登记) of a household whose use is 出租 or 群租. The landlord is a
    resident or a name (+ phone); the tenants are residents in the user's grids."""
    from civicgrid.registry.validators import validate_mobile

    ensure_may_write(user)
    tenants = list(tenants)
    with transaction.atomic():
        household = (
            Household.objects.select_for_update().select_related("address").get(pk=household.pk)
        )
        _ensure_micro_grid_in_scope(user, household.address.micro_grid_id)
        if household.use not in RENTED_USES:
            raise ValidationError(
                {
                    "household": _("该户房屋用途为“%(use)s”，只有出租或群租的房屋才能做租赁登记")
                    % {"use": household.get_use_display()}
                }
            )
        people = [p for p in [landlord, *tenants] if p is not None]
        if user is not None and people:
            visible = set(
                scoped(Resident, user)
                .filter(pk__in=[p.pk for p in people])
                .values_list("pk", flat=True)
            )
            if any(p.pk not in visible for p in people):
                raise PermissionDenied(_("该居民不在您的管辖范围内"))
        if landlord is not None and landlord in tenants:
            raise ValidationError({"tenants": _("出租人不能同时是承租人")})
        rental = RentalRegistration(
            household=household,
            landlord=landlord,
            landlord_name=landlord_name.strip() or (landlord.name if landlord else ""),
            landlord_phone=landlord_phone,
            start_date=start_date,
            end_date=end_date,
        )
        if rental.landlord_phone:
            try:
                rental.landlord_phone = validate_mobile(rental.landlord_phone)
            except ValidationError as exc:
                raise ValidationError({"landlord_phone": exc.messages}) from exc
        rental.full_clean()
        rental.save()
        rental.tenants.set(tenants)
    return rental


# --- personal data ------------------------------------------------------------------------------

PII_FIELDS = (PiiField.ID_NUMBER, PiiField.PHONE)


def reveal_personal_data(user, resident: Resident, fields=PII_FIELDS, *, channel: str) -> dict:
    """The full ID number/phone of one resident, each value logged in PersonalDataAccess.

    Only roles in FULL_PII_ROLES, and only for residents in the user's scope; anyone else gets
    PermissionDenied with a Chinese message.
    """
    ensure_may_reveal(user)
    fields = [PiiField(f) for f in fields]
    if not scoped(Resident, user).filter(pk=resident.pk).exists():
        raise PermissionDenied(_("该居民不在您的管辖范围内"))
    out = {}
    with transaction.atomic():
        for field in fields:
            value = getattr(resident, field.value)
            out[field.value] = value
            if value:
                PersonalDataAccess.objects.create(
                    user=user, resident=resident, field=field, channel=channel
                )
    return out


def find_by_id_number(user, queryset, id_number: str, *, channel: str):
    """Residents (within `queryset`) with exactly this ID number; each match is a logged view."""
    from civicgrid.registry.validators import normalize_id_number

    ensure_may_reveal(user)
    matches = list(queryset.filter(id_number=normalize_id_number(id_number)))
    with transaction.atomic():
        PersonalDataAccess.objects.bulk_create(
            PersonalDataAccess(user=user, resident=r, field=PiiField.ID_NUMBER, channel=channel)
            for r in matches
        )
    return matches


# --- figures ------------------------------------------------------------------------------------


def _empty_figures():
    return {
        "households": 0,
        "registered": 0,
        "living": 0,
        "residents": 0,
        "by_tenure": {value: 0 for value in Tenure.values},
        "by_use": {value: 0 for value in DwellingUse.values},
    }


def grid_figures(grid: Grid, user=None) -> dict:
    """Households, registered people, people actually living there and households by tenure
    (房屋性质) and by use (房屋用途) for any grid node, in two queries (plus none for the node itself).

    普育里 in seed 001: 213 households, 663 registered, 450 living; 77 公房, 136 售后公房.
    """
    households = Household.objects.filter(address__building_group__path__startswith=grid.path)
    residents = Resident.objects.filter(
        household__address__building_group__path__startswith=grid.path
    )
    if user is not None:
        households = scoped(Household, user, households)
        residents = scoped(Resident, user, residents)
    out = _empty_figures()
    for row in households.order_by().values("tenure", "use").annotate(n=Count("pk")):
        out["by_tenure"][row["tenure"]] += row["n"]
        out["by_use"][row["use"]] += row["n"]
        out["households"] += row["n"]
    out.update(
        residents.aggregate(
            residents=Count("pk"),
            registered=Count("pk", filter=Q(is_registered=True)),
            living=Count("pk", filter=Q(lives_here=True)),
        )
    )
    return out


def figures_table(user) -> list[dict]:
    """One row per visible community and micro-grid (and the street total), in three queries.

    Each row: grid, level, and the figures of grid_figures. Communities come before their
    micro-grids so the admin page can indent them.
    """
    grids = list(
        visible_grids(user)
        .filter(level__in=[GridLevel.COMMUNITY, GridLevel.MICRO_GRID])
        .order_by("path")
    )
    per_micro = defaultdict(_empty_figures)
    households = scoped(Household, user).order_by()
    for row in households.values("address__micro_grid", "tenure", "use").annotate(n=Count("pk")):
        fig = per_micro[row["address__micro_grid"]]
        fig["by_tenure"][row["tenure"]] += row["n"]
        fig["by_use"][row["use"]] += row["n"]
        fig["households"] += row["n"]
    residents = scoped(Resident, user).order_by()
    for row in residents.values("household__address__micro_grid").annotate(
        residents=Count("pk"),
        registered=Count("pk", filter=Q(is_registered=True)),
        living=Count("pk", filter=Q(lives_here=True)),
    ):
        fig = per_micro[row.pop("household__address__micro_grid")]
        fig.update(row)

    def add(total, fig):
        for key in ("households", "registered", "living", "residents"):
            total[key] += fig[key]
        for key in ("by_tenure", "by_use"):
            for value, n in fig[key].items():
                total[key][value] += n

    community_totals = defaultdict(_empty_figures)
    street_total = _empty_figures()
    for grid in grids:
        if grid.level == GridLevel.MICRO_GRID:
            fig = per_micro.get(grid.pk) or _empty_figures()
            add(community_totals[grid.parent_id], fig)
            add(street_total, fig)
    rows = []
    for grid in grids:
        fig = (
            community_totals[grid.pk]
            if grid.level == GridLevel.COMMUNITY
            else per_micro.get(grid.pk) or _empty_figures()
        )
        rows.append({"grid": grid, "level": grid.level, **fig})
    rows.append({"grid": None, "level": "total", **street_total})
    return rows


def refresh_household_counts() -> int:
    """Set Grid.household_count of every micro-grid and building group from the registry.

    Two UPDATE statements with correlated subqueries — no per-grid loop. Returns rows updated.
    """

    def count_for(field):
        counts = (
            Household.objects.filter(**{field: OuterRef("pk")})
            .order_by()
            .values(field)
            .annotate(c=Count("pk"))
            .values("c")[:1]
        )
        return Coalesce(Subquery(counts), 0)

    with transaction.atomic():
        n = Grid.objects.filter(level=GridLevel.MICRO_GRID).update(
            household_count=count_for("address__micro_grid")
        )
        n += Grid.objects.filter(level=GridLevel.BUILDING_GROUP).update(
            household_count=count_for("address__building_group")
        )
    return n


# --- finding a household ---------------------------------------------------------------------------

# How the registry writes the person a household is registered under (户主).
HOUSEHOLDER_RELATIONS = ("户主", "本人")
MIN_SEARCH_LENGTH = 2


def search_households(queryset, query: str):
    """The households of `queryset` (already scoped) that a grid worker's search means: the
    standard address containing what was typed — full-width digits, 號, spaces and Chinese
    numerals before 弄/号/幢/室 read as the registry writes them (１５０１弄十二号 → 1501弄12号) —
    or the householder's name (户主), or the household number. Distinct rows; the caller orders
    and slices. An empty queryset for a query shorter than two characters."""
    text = normalize_search_text(query)
    if len(text) < MIN_SEARCH_LENGTH:
        return queryset.none()
    householders = Resident.objects.filter(
        relation_to_head__in=HOUSEHOLDER_RELATIONS, name__contains=text
    ).values("household_id")
    return queryset.filter(
        Q(address__normalized__contains=text) | Q(pk__in=householders) | Q(household_number=text)
    )
