"""Pages of the time bank (爱心银行): the staff's page (/timebank/: figures, the honour roll,
records waiting for verification, open requests), and the resident's phone pages — a volunteer
records a service and sees their balance (/timebank/me/), an elder's family asks for help
(/timebank/help/). Residents sign in with their resident account (role 居民), which the 居委
links to their time account (Account.user) after checking who they are — the same kind of
account shared parking and community projects use. Pages only call timebank.services."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from civicgrid.accounts.access import role_required
from civicgrid.accounts.policy import (
    TIMEBANK_EDIT_ROLES,
    TIMEBANK_RESIDENT_ROLES,
    TIMEBANK_VIEW_ROLES,
)
from civicgrid.cases.services import IllegalTransition
from civicgrid.core.inputs import posted_date, posted_id
from civicgrid.core.masking import mask_phone
from civicgrid.core.pages import add_service_errors, error_messages
from civicgrid.registry.models import Resident
from civicgrid.timebank import reports, services
from civicgrid.timebank.choices import RecordState, RequestState
from civicgrid.timebank.filters import VolunteerFilter
from civicgrid.timebank.forms import RelativeForm, VolunteerForm, find_resident
from civicgrid.timebank.models import (
    HelpRequest,
    Project,
    Relative,
    ServiceRecord,
    Transfer,
    Volunteer,
)
from civicgrid.timebank.scoping import scope_rows, visible_communities


def _moment(value):
    try:
        moment = parse_datetime(value or "")
    except ValueError:
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


@role_required(*TIMEBANK_VIEW_ROLES)
def index(request):
    """爱心银行: figures over the user's 居村 for the last year, the honour roll, records waiting
    for verification (verify or send back) and open requests."""
    user = request.user
    errors = []
    if request.method == "POST":
        record = services.pending_for(user).filter(pk=posted_id(request.POST, "record")).first()
        try:
            if record is None:
                raise ValidationError({"record": _("没有这条待审核的服务记录")})
            if request.POST.get("action") == "verify":
                services.do_verify(record, user)
                messages.success(request, _("已审核通过，时间币已存入"))
            else:
                services.do_reject(record, user, note=request.POST.get("note", ""))
                messages.success(request, _("已退回"))
            return redirect("timebank:index")
        except (ValidationError, PermissionDenied, IllegalTransition) as error:
            errors = error_messages(error)
    today = timezone.localdate()
    figures = reports.report(visible_communities(user), today - datetime.timedelta(days=364), today)
    pending = list(
        services.pending_for(user)
        .select_related("project", "volunteer", "recipient")
        .order_by("started_at", "id")[:50]
    )
    requests = list(
        scope_rows(
            HelpRequest.objects.filter(state__in=[RequestState.OPEN, RequestState.MATCHED]),
            user,
        )
        .select_related("elder", "project", "volunteer")
        .order_by("wanted_on", "id")[:50]
    )
    return render(
        request,
        "timebank/index.html",
        {"figures": figures, "pending": pending, "requests": requests, "errors": errors},
    )


@role_required(*TIMEBANK_RESIDENT_ROLES)
def me(request):
    """我的爱心银行: the volunteer's balance, their recent records, and the form to record a
    service (to an elder they were matched with, or a group activity)."""
    user = request.user
    account = services.account_of_user(user)
    volunteer = services.volunteer_of(account) if account else None
    errors, values = [], {}
    matched = list(
        HelpRequest.objects.filter(volunteer=volunteer, state=RequestState.MATCHED)
        .select_related("elder", "project")
        .order_by("wanted_on", "id")
        if volunteer
        else []
    )
    if request.method == "POST" and volunteer is not None:
        values = request.POST
        request_row = next(
            (r for r in matched if str(r.pk) == request.POST.get("request", "")), None
        )
        project = Project.objects.filter(pk=posted_id(request.POST, "project")).first()
        try:
            services.do_record_service(
                user,
                volunteer=volunteer,
                project=request_row.project if request_row else project,
                recipient=request_row.elder if request_row else None,
                request=request_row,
                activity="" if request_row else request.POST.get("activity", ""),
                started_at=_moment(request.POST.get("started_at")),
                ended_at=_moment(request.POST.get("ended_at")),
                confirmation=request.POST.get("confirmation", ""),
                photo=request.FILES.get("photo"),
                note=request.POST.get("note", ""),
            )
            messages.success(request, _("服务记录已提交，等待项目协调人审核"))
            return redirect("timebank:me")
        except (ValidationError, PermissionDenied, IllegalTransition) as error:
            errors = error_messages(error)
    records = (
        list(
            ServiceRecord.objects.filter(volunteer=volunteer)
            .select_related("project", "recipient")
            .order_by("-started_at", "-id")[:20]
        )
        if volunteer
        else []
    )
    transfers = (
        list(
            Transfer.objects.filter(Q(debit=account) | Q(credit=account)).order_by("-at", "-id")[
                :20
            ]
        )
        if account
        else []
    )
    for t in transfers:
        t.sign = "+" if t.credit_id == account.pk else "−"
    return render(
        request,
        "timebank/me.html",
        {
            "account": account,
            "volunteer": volunteer,
            "matched": matched,
            "projects": Project.objects.filter(is_active=True).order_by("name"),
            "records": records,
            "transfers": transfers,
            "errors": errors,
            "values": values,
            "states": RecordState,
        },
    )


def _elders_for(account):
    if account is None:
        return []
    ids = set(Relative.objects.filter(account=account).values_list("resident_id", flat=True))
    if account.resident_id:
        ids |= set(
            Resident.objects.filter(household_id=account.resident.household_id)
            .exclude(pk=account.resident_id)
            .values_list("pk", flat=True)
        )
    return list(Resident.objects.filter(pk__in=ids).order_by("name", "id"))


@role_required(*TIMEBANK_RESIDENT_ROLES)
def help_request(request):
    """为老人求助: a family member asks help for an elder of their household or a declared
    relative, and sees their requests."""
    user = request.user
    account = services.account_of_user(user)
    elders = _elders_for(account)
    errors, values = [], {}
    if request.method == "POST":
        values = request.POST
        elder = next((e for e in elders if str(e.pk) == request.POST.get("elder", "")), None)
        project = Project.objects.filter(pk=posted_id(request.POST, "project")).first()
        try:
            if elder is None:
                raise ValidationError({"elder": _("请选择老人")})
            services.do_ask_help(
                user,
                elder=elder,
                project=project,
                wanted_on=posted_date(request.POST, "wanted_on"),
                description=request.POST.get("description", ""),
                contact_phone=request.POST.get("contact_phone", ""),
            )
            messages.success(request, _("求助已提交，居委会将尽快安排志愿者"))
            return redirect("timebank:help")
        except ValueError:
            errors = [_("希望日期格式不正确")]
        except (ValidationError, PermissionDenied, IllegalTransition) as error:
            errors = error_messages(error)
    mine = list(
        HelpRequest.objects.filter(asked_by=user)
        .select_related("elder", "project", "volunteer")
        .order_by("-created_at", "-id")[:20]
    )
    return render(
        request,
        "timebank/help.html",
        {
            "elders": elders,
            "projects": Project.objects.filter(is_active=True).order_by("name"),
            "mine": mine,
            "errors": errors,
            "values": values,
            "today_iso": timezone.localdate().isoformat(),
        },
    )


@role_required(*TIMEBANK_VIEW_ROLES)
def volunteers(request):
    """志愿者: the volunteers of the user's 居村 (phones masked) with their filters; the 居委
    registers a volunteer (a resident, or someone from outside; skills, team, 双报到) and declares
    a volunteer's relatives (to whom coins may be given)."""
    user = request.user
    may_edit = user.effective_role in TIMEBANK_EDIT_ROLES and not user.is_read_only
    action = request.POST.get("action") if request.method == "POST" else None
    if action and not may_edit:
        raise PermissionDenied
    register = VolunteerForm(user, request.POST if action == "register" else None)
    relative = RelativeForm(user, request.POST if action == "relative" else None)
    if action == "register" and register.is_valid():
        try:
            volunteer = services.do_register_volunteer(user, **register.service_fields())
        except ValidationError as error:
            add_service_errors(register, error)
        except PermissionDenied as error:
            register.add_error(None, str(error))
        else:
            messages.success(request, _("已登记志愿者：%(name)s") % {"name": volunteer.name})
            return redirect("timebank:volunteers")
    if action == "consent":
        volunteer = get_object_or_404(
            scope_rows(Volunteer.objects.all(), user), pk=_int(request.POST.get("volunteer"))
        )
        give = request.POST.get("consent") == "yes"
        try:
            services.do_set_name_consent(user, volunteer, give)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(
                request,
                (_("已记录%(name)s同意公开姓名") if give else _("已撤回%(name)s的公开姓名同意"))
                % {"name": volunteer.name},
            )
        return redirect("timebank:volunteers")
    if action == "relative" and relative.is_valid():
        data = relative.cleaned_data
        try:
            resident = find_resident(user, data["name"], data["key"], "name")
            account = services.person_account(volunteer=data["volunteer"])
            services.do_declare_relative(user, account, resident, data["relation"])
        except ValidationError as error:
            add_service_errors(relative, error)
        except PermissionDenied as error:
            relative.add_error(None, str(error))
        else:
            messages.success(request, _("已登记亲属：%(name)s") % {"name": resident.name})
            return redirect("timebank:volunteers")
    rows = scope_rows(Volunteer.objects.select_related("community", "team"), user).order_by(
        "-joined_on", "-id"
    )
    listing = VolunteerFilter(request.GET, queryset=rows)
    page = Paginator(listing.qs, 50).get_page(request.GET.get("page"))
    for volunteer in page:
        volunteer.masked_phone = mask_phone(volunteer.phone) if volunteer.phone else ""
    relatives = scope_rows(
        Relative.objects.select_related("resident", "account__volunteer", "account__resident"),
        user,
        "account__community",
    ).order_by("-at", "-id")[:50]
    return render(
        request,
        "timebank/volunteers.html",
        {
            "filter": listing,
            "page": page,
            "register": register,
            "relative": relative,
            "relatives": relatives,
            "may_edit": may_edit,
            "open_form": action,
        },
    )


def _int(value) -> int:
    """A posted id, or 0 (matches nothing) when it is not a number."""
    value = str(value or "")
    return int(value) if value.isdigit() else 0
