"""The staff's notification centre (站内通知): written with each message (`add`, inside the step's
transaction), read at /notifications/ and /api/notifications/, marked read one by one or all at
once. `unread_count` is one COUNT over the partial index of unread items; the header's badge on
every page reads `badge_count`, that count kept per user in the shared cache and dropped by every
path here that writes or marks items (`add`, `do_mark_read`, `do_mark_all_read`: at once and
again at the commit, so a reader between the two cannot keep the old count), with a short
lifetime as the last guard (an item changed outside these functions shows within a minute)."""

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from civicgrid.accounts.policy import GRID_STAFF_ROLES
from civicgrid.messaging.messages import Recipient
from civicgrid.messaging.models import Notification, OutboxMessage
from civicgrid.messaging.recipients import STAFF_KINDS, staff_users

BATCH = 1000
BADGE_SECONDS = 60


def badge_key(user_id) -> str:
    return f"inbox:unread:{user_id}"


def drop_badges(user_ids) -> None:
    """Forget the users' cached badge now and once more when the transaction commits."""
    keys = [badge_key(pk) for pk in set(user_ids)]
    if not keys:
        return
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def add(rows: list[OutboxMessage]) -> int:
    """One notification per active staff account behind each message's recipient (one query per
    distinct recipient, one insert per thousand items). Returns how many were written."""
    found: dict[tuple, list[int]] = {}
    items = []
    for row in rows:
        recipient = Recipient(**row.recipient)
        if recipient.kind not in STAFF_KINDS:
            continue
        ident = (recipient.kind, recipient.department_id, recipient.grid_id, recipient.user_id)
        if ident not in found:
            found[ident] = list(staff_users(recipient).values_list("pk", flat=True))
        for user_id in found[ident]:
            items.append(Notification(user_id=user_id, message=row, created_at=row.created_at))
    Notification.objects.bulk_create(items, batch_size=BATCH, ignore_conflicts=True)
    drop_badges(item.user_id for item in items)
    return len(items)


def unread_count(user) -> int:
    """How many unread items the user has (the header's badge): one query over the partial index
    of unread items."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def badge_count(user) -> int:
    """The header's badge: `unread_count` through the shared cache (see the module's note)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    key = badge_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = unread_count(user)
        cache.set(key, count, BADGE_SECONDS)
    return count


def items_for(user, *, unread_only: bool = False):
    """The user's notifications, newest first, with their messages (one query per page)."""
    items = Notification.objects.filter(user=user).select_related("message")
    if unread_only:
        items = items.filter(read_at__isnull=True)
    return items.order_by("-created_at", "-pk")


def do_mark_read(user, pk: int, *, now=None) -> Notification:
    """Mark one of the user's own notifications read (reading it again changes nothing).
    Another user's item is Notification.DoesNotExist, like a missing one."""
    now = now or timezone.now()
    with transaction.atomic():
        item = (
            Notification.objects.select_for_update().select_related("message").get(pk=pk, user=user)
        )
        if item.read_at is None:
            item.read_at = now
            item.save(update_fields=["read_at"])
            drop_badges([user.pk])
    return item


def do_mark_all_read(user, *, before=None, now=None) -> int:
    """Mark every unread notification of the user read (only those written before `before`
    when given); returns how many changed."""
    now = now or timezone.now()
    with transaction.atomic():
        unread = Notification.objects.filter(user=user, read_at__isnull=True)
        if before is not None:
            unread = unread.filter(created_at__lt=before)
        changed = unread.update(read_at=now)
        if changed:
            drop_badges([user.pk])
    return changed


def case_page(user, case_number: str) -> str:
    """The page where this user works on the case: the phone page for grid staff, the console's
    case page for everyone else (URL names, so this app need not import the fronts)."""
    from django.urls import NoReverseMatch, reverse

    if not case_number:
        return ""
    name = "fieldwork:case" if user.effective_role in GRID_STAFF_ROLES else "console:case"
    try:
        return reverse(name, args=[case_number])
    except NoReverseMatch:  # that front is not installed in this deployment
        return ""
