"""Every change to estates, property companies and owners' committees; matching addresses.

Views, serializers and the admin only call these. Each do_* validates first and runs in one
transaction, so a refused change leaves nothing behind. Who may change estates is who may change
the registry (registry.permissions); which estates a user sees follows their grids
(grids.scoping): the estates of every 居村 they hold a micro-grid in.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from civicgrid.core.masking import mask_phone
from civicgrid.estates.figures import current_committees
from civicgrid.estates.models import (
    CommitteeMember,
    Estate,
    EstateAddressRange,
    OwnersCommittee,
    PropertyCompany,
    lane_number,
)
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.scoping import visible_micro_grids
from civicgrid.registry.models import Address
from civicgrid.registry.permissions import ensure_may_write
from civicgrid.registry.validators import validate_mobile


def scoped_estates(user, queryset=None):
    """The estates whose 居村 holds a micro-grid the user may see (all for the whole street)."""
    qs = Estate.objects.all() if queryset is None else queryset
    if user is None:
        return qs
    micro = visible_micro_grids(user)
    if micro is None:
        return qs
    return qs.filter(community__in=micro.values("parent"))


def _ensure_community_in_scope(user, community):
    if user is None:
        return
    micro = visible_micro_grids(user)
    if micro is not None and not micro.filter(parent=community).exists():
        raise PermissionDenied(_("该居村不在您的管辖范围内"))


# --- property companies -------------------------------------------------------------------------


def do_save_property_company(company: PropertyCompany, *, user=None) -> PropertyCompany:
    """Create or change a property company (物业); the phone is checked and normalised."""
    ensure_may_write(user)
    if company.contact_phone:
        try:
            company.contact_phone = validate_mobile(company.contact_phone)
        except ValidationError as exc:
            raise ValidationError({"contact_phone": exc.messages}) from exc
    with transaction.atomic():
        company.full_clean()
        company.save()
    return company


def masked_contact(company: PropertyCompany | None) -> str:
    if company is None:
        return ""
    return mask_phone(company.contact_phone)


# --- estates ------------------------------------------------------------------------------------


def do_save_estate(estate: Estate, *, micro_grids=None, user=None) -> Estate:
    """Create or change an estate; `micro_grids` (when given) replaces its micro-grids, which
    must all lie in its 居村."""
    ensure_may_write(user)
    if estate.community_id is None:
        raise ValidationError({"community": _("请选择小区所在的居村")})
    _ensure_community_in_scope(user, estate.community)
    if estate.pk is not None:
        before = Estate.objects.filter(pk=estate.pk).values_list("community", flat=True).first()
        if before is not None and before != estate.community_id:
            _ensure_community_in_scope(user, before)
    if micro_grids is not None:
        micro_grids = list(micro_grids)
        stray = [
            g.code
            for g in micro_grids
            if g.level != GridLevel.MICRO_GRID or g.parent_id != estate.community_id
        ]
        if stray:
            raise ValidationError(
                {"micro_grids": _("微网格%(codes)s不属于该居村") % {"codes": "、".join(stray)}}
            )
    with transaction.atomic():
        estate.full_clean(validate_unique=False, validate_constraints=False)
        clash = Estate.objects.filter(community=estate.community_id, name=estate.name)
        if clash.exclude(pk=estate.pk).exists():
            raise ValidationError(
                {"name": _("该居村已有名为“%(name)s”的小区") % {"name": estate.name}}
            )
        estate.save()
        if micro_grids is not None:
            estate.micro_grids.set(micro_grids)
    return estate


def do_set_address_ranges(estate: Estate, ranges, *, user=None, assign=True) -> list:
    """Replace the estate's address ranges with `ranges` (dicts: road, lane_from, lane_to) and,
    with `assign`, match the addresses of its 居村 again. Overlap with another estate's range on
    the same road in the same 居村 is refused: an address belongs to one estate (addresses are
    matched within their 居村)."""
    ensure_may_write(user)
    _ensure_community_in_scope(user, estate.community)
    rows = []
    for i, item in enumerate(ranges):
        row = EstateAddressRange(
            estate=estate,
            road=(item.get("road") or "").strip(),
            lane_from=item.get("lane_from"),
            lane_to=item.get("lane_to", item.get("lane_from")),
        )
        try:
            row.full_clean(exclude=["estate"])
        except ValidationError as exc:
            raise ValidationError({f"ranges[{i}]": exc.messages}) from exc
        rows.append(row)
    with transaction.atomic():
        locked = Estate.objects.select_for_update().get(pk=estate.pk)
        for row in rows:
            overlap = (
                EstateAddressRange.objects.filter(
                    road=row.road,
                    lane_from__lte=row.lane_to,
                    lane_to__gte=row.lane_from,
                    estate__community=locked.community_id,
                )
                .exclude(estate=locked)
                .select_related("estate")
                .first()
            )
            if overlap is not None:
                raise ValidationError(
                    {
                        "ranges": _("%(range)s与小区“%(estate)s”的地址范围重叠")
                        % {"range": str(row), "estate": overlap.estate.name}
                    }
                )
        locked.address_ranges.all().delete()
        EstateAddressRange.objects.bulk_create(rows)
        if assign:
            assign_addresses(Address.objects.filter(micro_grid__parent=locked.community_id))
    return rows


def do_elect_committee(
    estate: Estate,
    *,
    term_start,
    term_end,
    members=(),
    party_liaison="",
    is_red=False,
    user=None,
) -> OwnersCommittee:
    """Record an owners' committee (业委会) term with its members (dicts: name, role,
    is_party_member). Terms of one estate may not overlap."""
    ensure_may_write(user)
    _ensure_community_in_scope(user, estate.community)
    committee = OwnersCommittee(
        estate=estate,
        term_start=term_start,
        term_end=term_end,
        party_liaison=party_liaison,
        is_red=is_red,
    )
    committee.full_clean()
    rows = []
    for i, item in enumerate(members):
        member = CommitteeMember(
            name=(item.get("name") or "").strip(),
            role=item.get("role") or CommitteeMember._meta.get_field("role").default,
            is_party_member=bool(item.get("is_party_member")),
        )
        try:
            member.full_clean(exclude=["committee"])
        except ValidationError as exc:
            raise ValidationError({f"members[{i}]": exc.messages}) from exc
        rows.append(member)
    with transaction.atomic():
        Estate.objects.select_for_update().get(pk=estate.pk)
        overlap = OwnersCommittee.objects.filter(
            estate=estate, term_start__lt=term_end, term_end__gt=term_start
        )
        if overlap.exists():
            raise ValidationError({"term_start": _("该小区在此期间已有业委会任期")})
        committee.save()
        for member in rows:
            member.committee = committee
        CommitteeMember.objects.bulk_create(rows)
    return committee


def current_committee(estate: Estate, today) -> OwnersCommittee | None:
    """The 业委会 in office on `today` (the latest to start), as with_current_committee (or
    figures.with_figures) prefetched it when the estate came through one of them."""
    prefetched = getattr(estate, "current", None)
    if prefetched is not None:
        return prefetched[0] if prefetched else None
    return current_committees(today).filter(estate=estate).order_by("-term_start").first()


def with_current_committee(queryset, today):
    """A list of estates with each one's current 业委会 and its members read in two queries,
    not two per estate (current_committee uses them)."""
    return queryset.prefetch_related(
        Prefetch(
            "committees",
            queryset=current_committees(today).order_by("-term_start").prefetch_related("members"),
            to_attr="current",
        )
    )


# --- matching addresses -------------------------------------------------------------------------


def match_estate(address: Address) -> Estate | None:
    """The estate whose range holds the address's road and lane, in the address's 居村."""
    number = lane_number(address.lane)
    if number is None or not address.micro_grid_id:
        return None
    community = address.micro_grid.parent_id
    hit = (
        EstateAddressRange.objects.filter(
            road=address.road,
            lane_from__lte=number,
            lane_to__gte=number,
            estate__community=community,
        )
        .select_related("estate")
        .first()
    )
    return hit.estate if hit else None


def assign_addresses(queryset=None) -> int:
    """Set Address.estate from the ranges for every address in `queryset` (all by default);
    addresses no range covers are left as they are. Returns how many changed. One query for the
    ranges, then one UPDATE per estate."""
    addresses = Address.objects.all() if queryset is None else queryset
    by_road = {}
    for row in EstateAddressRange.objects.select_related("estate").order_by("pk"):
        by_road.setdefault(row.road, []).append(row)
    changes = {}
    rows = addresses.filter(road__in=list(by_road)).values_list(
        "pk", "road", "lane", "estate_id", "micro_grid__parent_id"
    )
    for pk, road, lane, current, community in rows.iterator():
        number = lane_number(lane)
        if number is None:
            continue
        for rng in by_road[road]:
            if rng.estate.community_id == community and rng.lane_from <= number <= rng.lane_to:
                if current != rng.estate_id:
                    changes.setdefault(rng.estate_id, []).append(pk)
                break
    with transaction.atomic():
        for estate_id, pks in changes.items():
            for start in range(0, len(pks), 500):
                Address.objects.filter(pk__in=pks[start : start + 500]).update(estate=estate_id)
    return sum(len(pks) for pks in changes.values())
