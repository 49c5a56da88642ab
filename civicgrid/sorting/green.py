"""What the green-account ledger (绿色账户) shows: entries and households in a user's scope, each
household's balance, a statement with the balance after each entry, and the points issued and
redeemed per 居村 and month. Reads only; every posting is a sorting.services call.

Each entry has one household leg (an award credits a household, a redemption debits one) and
one leg on a street account, which has no 居村. The household leg's 居村 (`place`) scopes the
entry, and its sign as the household sees it is + when the household is credited, − when it is
debited."""

import datetime

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from civicgrid.grids.models import Grid
from civicgrid.registry.models import Household
from civicgrid.sorting.choices import AccountKind, EntryReason, ShiftState
from civicgrid.sorting.models import GuideShift, PointsEntry
from civicgrid.sorting.scoping import visible_communities


def entries():
    """Every entry with its household's side read off: `household_id`, `place` (居村 id) and
    `signed` (the amount as the household sees it)."""
    return PointsEntry.objects.annotate(
        household_id=Coalesce("credit__household_id", "debit__household_id"),
        place=Coalesce("credit__community_id", "debit__community_id"),
        signed=Case(
            When(credit__kind=AccountKind.HOUSEHOLD, then=F("amount")),
            default=-F("amount"),
            output_field=IntegerField(),
        ),
    )


def scope_entries(queryset, user):
    communities = visible_communities(user)
    if communities is None:
        return queryset
    return queryset.filter(place__in=communities.values("pk"))


def households_in(communities):
    """Households whose address is in one of `communities` (None: the whole street)."""
    rows = Household.objects.all()
    if communities is None:
        return rows
    return rows.filter(address__micro_grid__parent__in=communities)


def on_duty_shift(user, now=None):
    """The shift the user is standing now as its guide (值守中), if any."""
    if user is None or not user.is_authenticated:
        return None
    return (
        GuideShift.objects.filter(guide__user=user, guide__is_active=True, state=ShiftState.ON_DUTY)
        .select_related("point", "community")
        .order_by("-checked_in_at")
        .first()
    )


def _sum(queryset, field):
    return Coalesce(
        Subquery(
            queryset.order_by().values(field).annotate(s=Sum("amount")).values("s")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def with_balance(households):
    """`households` annotated with `points` (their account's balance, 0 without an account)."""
    credits = PointsEntry.objects.filter(credit__household=OuterRef("pk"))
    debits = PointsEntry.objects.filter(debit__household=OuterRef("pk"))
    return households.annotate(
        points=_sum(credits, "credit__household") - _sum(debits, "debit__household")
    )


def balance_of(household) -> int:
    """The balance of a household (or a household id): 0 if it never earned."""
    pk = getattr(household, "pk", household)
    return with_balance(Household.objects.filter(pk=pk)).values_list("points", flat=True)[0]


def statement_rows(page, household_id):
    """The balance after each entry of a statement page (entries newest first): the balance now
    less what every newer entry moved. Two queries whatever the page's length."""
    rows = list(page)
    if not rows:
        return rows
    first = rows[0]
    mine = entries().filter(household_id=household_id)
    now_total = mine.aggregate(s=Sum("signed"))["s"] or 0
    newer = (
        mine.filter(Q(at__gt=first.at) | Q(at=first.at, id__gt=first.id)).aggregate(
            s=Sum("signed")
        )["s"]
        or 0
    )
    after = now_total - newer
    for row in rows:
        row.balance_after = after
        after -= row.signed
    return rows


def month_start(back: int, today=None) -> datetime.datetime:
    """The first instant of the month `back` months before this one, in the street's time."""
    today = today or timezone.localdate()
    year, month = today.year, today.month - back
    while month <= 0:
        year, month = year - 1, month + 12
    return timezone.make_aware(datetime.datetime(year, month, 1))


def monthly(communities, *, months=12, today=None) -> dict:
    """Points issued (awards) and redeemed per 居村 and month for the last `months` months, in
    two queries: rows newest month first, then by 居村, and the totals."""
    rows = entries().filter(at__gte=month_start(months - 1, today))
    if communities is not None:
        rows = rows.filter(place__in=communities.values("pk"))
    figures = list(
        rows.annotate(month=TruncMonth("at"))
        .order_by()
        .values("month", "place")
        .annotate(
            issued=Coalesce(Sum("amount", filter=Q(reason=EntryReason.EARN)), 0),
            redeemed=Coalesce(Sum("amount", filter=Q(reason=EntryReason.REDEEM)), 0),
            awards=Count("id", filter=Q(reason=EntryReason.EARN)),
            redemptions=Count("id", filter=Q(reason=EntryReason.REDEEM)),
        )
    )
    grids = {
        pk: (name, code)
        for pk, name, code in Grid.objects.filter(pk__in={r["place"] for r in figures}).values_list(
            "pk", "name", "code"
        )
    }
    out = []
    for row in figures:
        month = row["month"]
        month = timezone.localtime(month) if isinstance(month, datetime.datetime) else month
        out.append(
            {
                "month": f"{month:%Y-%m}",
                "community": grids.get(row["place"], ("", ""))[0],
                "code": grids.get(row["place"], ("", ""))[1],
                "issued": row["issued"],
                "redeemed": row["redeemed"],
                "net": row["issued"] - row["redeemed"],
                "awards": row["awards"],
                "redemptions": row["redemptions"],
            }
        )
    out.sort(key=lambda r: r["code"])
    out.sort(key=lambda r: r["month"], reverse=True)
    total = {
        key: sum(r[key] for r in out)
        for key in ("issued", "redeemed", "net", "awards", "redemptions")
    }
    return {"rows": out, "total": total, "since": month_start(months - 1, today)}
