"""The staff accounts behind a recipient: a department's handlers, a micro-grid's staff (current
posts), the operators, the 值班长, a named account. Used for the notification centre (written with
the message) and the e-mail channel (at delivery)."""

from django.db.models import Q
from django.utils import timezone

from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import User
from civicgrid.accounts.policy import GRID_STAFF_ROLES
from civicgrid.messaging.messages import Recipient

STAFF_KINDS = ("department", "grid", "operator", "approver", "staff")


def staff_users(recipient: Recipient):
    """The active accounts behind a staff recipient (a queryset); none for the reporter."""
    users = User.objects.filter(is_active=True)
    if recipient.kind == "department" and recipient.department_id:
        return users.filter(role=Role.DEPT_HANDLER, department_id=recipient.department_id)
    if recipient.kind == "grid" and recipient.grid_id:
        today = timezone.localdate()
        # One filter() call: the post that matches the grid must itself be current.
        return users.filter(
            Q(staff_member__posts__end_date__isnull=True)
            | Q(staff_member__posts__end_date__gte=today),
            role__in=GRID_STAFF_ROLES,
            staff_member__posts__micro_grid_id=recipient.grid_id,
            staff_member__posts__start_date__lte=today,
        ).distinct()
    if recipient.kind == "operator":
        return users.filter(role=Role.OPERATOR)
    if recipient.kind == "approver":
        return users.filter(role=Role.SHIFT_CHIEF)
    if recipient.kind == "staff" and recipient.user_id:
        return users.filter(pk=recipient.user_id).exclude(role=Role.RESIDENT)
    return users.none()


def email_addresses(recipient: Recipient) -> list[str]:
    """The e-mail addresses behind a recipient (one query, run at delivery)."""
    if recipient.kind in ("reporter", "staff"):
        return [recipient.email] if recipient.email else []
    users = staff_users(recipient).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))
