"""Pages of the street-shop roll: the street staff's overview (freshness, report, the roll with
its filters), a block, a shop (masked operator, logged full view, state change, history, 门责),
the block person's "walk my block" phone pages (shop by shop) and the inspector's 门责 form.
Pages only call shops.services; scoping and roles are the services' and accounts.policy's."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.accounts.access import role_required
from civicgrid.accounts.policy import (
    FULL_PII_ROLES,
    SHOPS_INSPECT_ROLES,
    SHOPS_REFRESH_ROLES,
    SHOPS_VIEW_ROLES,
)
from civicgrid.cases.permissions import openable_cases
from civicgrid.core.inputs import posted_id
from civicgrid.shops import services
from civicgrid.shops.choices import ShopState, Trade
from civicgrid.shops.filters import ShopFilter
from civicgrid.shops.models import (
    Association,
    Block,
    Inspection,
    RefreshRound,
    Shop,
    ShopEvent,
)


def _error_text(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "；".join(m for msgs in error.message_dict.values() for m in msgs)
    return "；".join(error.messages)


def _without_page(query) -> str:
    rest = query.copy()
    rest.pop("page", None)
    return rest.urlencode()


def _blocks(user):
    return services.scope_blocks(
        Block.objects.filter(is_active=True).select_related("community", "responsible"), user
    ).annotate(shop_count=Count("shops", filter=Q(shops__in_roll=True)))


@role_required(*SHOPS_VIEW_ROLES)
def index(request):
    """沿街商铺: freshness of every block, the report and the roll with its filters."""
    user = request.user
    blocks = list(_blocks(user).order_by("code"))
    states = services.freshness(blocks)
    for block in blocks:
        block.freshness = states[block.pk]
    shops = services.scope_shops(
        Shop.objects.select_related("block", "association"), user
    ).order_by("block__code", "address", "pk")
    data = request.GET.copy()
    data.setdefault("in_roll", "true")
    filterset = ShopFilter(data, queryset=shops, request=request)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "shops/index.html",
        {
            "blocks": blocks,
            "report": services.report(user),
            "associations": Association.objects.select_related("head").annotate(
                member_count=Count("members", filter=Q(members__in_roll=True))
            ),
            "filter": filterset,
            "page": page,
            "query": _without_page(request.GET),
        },
    )


@role_required(*SHOPS_VIEW_ROLES)
def block_detail(request, pk):
    block = get_object_or_404(_blocks(request.user).select_related("deputy"), pk=pk)
    block.freshness = services.freshness([block])[block.pk]
    shops = block.shops.filter(in_roll=True).select_related("association", "last_confirmed_by")
    rounds = RefreshRound.objects.filter(block=block).select_related("completed_by")[:12]
    return render(
        request,
        "shops/block.html",
        {
            "the_block": block,
            "shops": shops,
            "rounds": rounds,
            "may_refresh": services.may_refresh(request.user, block),
        },
    )


class StateForm(forms.Form):
    state = forms.ChoiceField(label=gettext_lazy("新状态"), choices=ShopState.choices)
    note = forms.CharField(label=gettext_lazy("说明"), max_length=300, required=False)


def _shop_for(user, pk):
    return get_object_or_404(
        services.scope_shops(
            Shop.objects.select_related("block__community", "association", "last_confirmed_by"),
            user,
        ),
        pk=pk,
    )


@role_required(*SHOPS_VIEW_ROLES)
def shop_detail(request, pk):
    user = request.user
    shop = _shop_for(user, pk)
    revealed = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "reveal":
                revealed = services.reveal_operator(user, shop, channel="web")
            elif action == "state":
                form = StateForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("请选择新状态"))
                services.do_change_state(user, shop, **form.cleaned_data)
                messages.success(request, _("经营状态已更新"))
                return redirect("shops:shop", pk=shop.pk)
            elif action == "close":
                services.do_close_shop(user, shop, note=request.POST.get("note", ""))
                messages.success(request, _("商铺已注销"))
                return redirect("shops:shop", pk=shop.pk)
        except (ValidationError, PermissionDenied) as error:
            text = _error_text(error) if isinstance(error, ValidationError) else str(error)
            messages.error(request, text)
            return redirect("shops:shop", pk=shop.pk)
    events = ShopEvent.objects.filter(shop=shop).select_related("user")[:30]
    inspections = list(
        Inspection.objects.filter(shop=shop)
        .select_related("inspector")
        .prefetch_related("results__item", "results__case")[:12]
    )
    cases = [result.case for inspection in inspections for result in inspection.results.all()]
    month = timezone.localdate()
    grades = []
    for back in range(3):
        first = services.month_start(month, back)
        grade = services.monthly_grades([shop.pk], first).get(shop.pk)
        grades.append({"month": f"{first:%Y-%m}", "grade": grade})
    due = services.due_reinspections(Inspection.objects.filter(shop=shop)).first()
    return render(
        request,
        "shops/shop.html",
        {
            "shop": shop,
            "phone": revealed["operator_phone"] if revealed else services.masked_phone(shop),
            "revealed": revealed is not None,
            "may_reveal": user.effective_role in FULL_PII_ROLES,
            "may_edit": shop.in_roll and services.may_edit(user, shop.block),
            "may_inspect": shop.in_roll and user.effective_role in SHOPS_INSPECT_ROLES,
            "state_form": StateForm(initial={"state": shop.state}),
            "events": events,
            "inspections": inspections,
            "openable": openable_cases(user, cases),
            "grades": grades,
            "due": due,
        },
    )


# --- walk my block (phone) -----------------------------------------------------------------------


@role_required(*SHOPS_REFRESH_ROLES)
def walk(request):
    """走街: the blocks this user is responsible for, each with this half-month's progress."""
    blocks = list(services.my_blocks(request.user))
    states = services.freshness(blocks)
    now = timezone.now()
    half = services.half_month(timezone.localdate())
    done = dict(
        ShopEvent.objects.filter(round__block__in=blocks, round__period_start=half.start)
        .values_list("round__block_id")
        .annotate(n=Count("shop", distinct=True))
    )
    totals = dict(
        Shop.objects.filter(block__in=blocks, in_roll=True)
        .values_list("block_id")
        .annotate(n=Count("pk"))
    )
    for block in blocks:
        block.freshness = states[block.pk]
        block.total = totals.get(block.pk, 0)
        block.done = min(done.get(block.pk, 0), block.total)
    return render(
        request,
        "shops/walk.html",
        {"blocks": blocks, "half": half, "now": now},
    )


class AddShopForm(forms.Form):
    sign_name = forms.CharField(label=gettext_lazy("店招名称"), max_length=100)
    address = forms.CharField(label=gettext_lazy("地址"), max_length=200)
    trade = forms.ChoiceField(label=gettext_lazy("行业"), choices=Trade.choices)
    credit_code = forms.CharField(
        label=gettext_lazy("统一社会信用代码"), max_length=40, required=False
    )
    operator_name = forms.CharField(label=gettext_lazy("经营者"), max_length=50, required=False)
    operator_phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=32, required=False)
    state = forms.ChoiceField(
        label=gettext_lazy("经营状态"), choices=ShopState.choices, initial=ShopState.OPEN
    )


def _my_block(user, pk):
    block = get_object_or_404(Block.objects.select_related("community"), pk=pk, is_active=True)
    if not services.may_refresh(user, block):
        raise PermissionDenied(_("只有该区块的包干责任人或副责任人可以更新本区块的商铺"))
    return block


@role_required(*SHOPS_REFRESH_ROLES)
def walk_block(request, pk):
    """One block, shop by shop: the next shop not yet seen this half-month, with 无变化 /
    状态有变化 / 已关门 buttons; 其余均无变化 at the end; a form to add a new shop."""
    user = request.user
    block = _my_block(user, pk)
    add_form = AddShopForm()
    if request.method == "POST":
        action = request.POST.get("action")
        shop = None
        if request.POST.get("shop"):
            shop = Shop.objects.filter(block=block, pk=posted_id(request.POST, "shop")).first()
        try:
            if action in ("confirm", "state", "close") and shop is None:
                raise ValidationError(_("商铺不存在"))
            if action == "confirm":
                services.do_confirm_shop(user, shop)
                messages.success(request, _("“%s”已核实") % shop.sign_name)
            elif action == "state":
                services.do_confirm_shop(
                    user, shop, state=request.POST.get("state"), note=request.POST.get("note", "")
                )
                messages.success(request, _("“%s”状态已更新") % shop.sign_name)
            elif action == "close":
                services.do_close_shop(user, shop, note=request.POST.get("note", ""))
                messages.success(request, _("“%s”已注销") % shop.sign_name)
            elif action == "rest":
                n = services.do_confirm_rest(user, block)
                messages.success(request, _("其余 %d 家商铺已核实无变化") % n)
            elif action == "add":
                add_form = AddShopForm(request.POST)
                if add_form.is_valid():
                    new = services.do_register_shop(user, block=block, **add_form.cleaned_data)
                    messages.success(request, _("已新增商铺“%s”") % new.sign_name)
                    return redirect("shops:walk_block", pk=block.pk)
                raise ValidationError(_("请检查新增商铺的填写"))
            return redirect("shops:walk_block", pk=block.pk)
        except ValidationError as error:
            if action == "add" and hasattr(error, "error_dict"):
                for field, msgs in error.message_dict.items():
                    target = field if field in add_form.fields else None
                    for msg in msgs:
                        add_form.add_error(target, msg)
            elif action != "add":
                messages.error(request, _error_text(error))
                return redirect("shops:walk_block", pk=block.pk)
    rnd = services.round_for(block)
    pending = list(services.pending_shops(rnd).order_by("address", "pk"))
    total = Shop.objects.filter(block=block, in_roll=True).count()
    current = pending[0] if pending else None
    return render(
        request,
        "shops/walk_block.html",
        {
            "the_block": block,
            "round": rnd,
            "current": current,
            "current_phone": services.masked_phone(current) if current else "",
            "pending": pending,
            "total": total,
            "done": max(total - len(pending), 0),
            "states": ShopState.choices,
            "add_form": add_form,
            "freshness": services.freshness([block])[block.pk],
        },
    )


# --- 门责 inspection form -------------------------------------------------------------------------


@role_required(*SHOPS_INSPECT_ROLES)
def inspect(request, pk):
    """门责检查 of one shop: each item 合格/不合格 (with what was wrong), photos; a failed item
    becomes a case. `?reinspect=<id>` checks again the items an earlier inspection failed."""
    user = request.user
    shop = _shop_for(user, pk)
    original = None
    raw = request.GET.get("reinspect") or request.POST.get("reinspect")
    if raw:
        original = Inspection.objects.filter(shop=shop, pk=raw if str(raw).isdigit() else 0).first()
    items = list(services.active_items())
    if original is not None:
        failed = {r.item_id for r in original.results.all() if not r.passed}
        items = [i for i in items if i.pk in failed]
    errors = []
    values = {}
    if request.method == "POST":
        results = {}
        for item in items:
            verdict = request.POST.get(f"item_{item.pk}")
            note = request.POST.get(f"note_{item.pk}", "")
            values[item.pk] = (verdict, note)
            if verdict in ("pass", "fail"):
                results[item.pk] = {"passed": verdict == "pass", "note": note}
        try:
            inspection = services.do_inspect(
                user,
                shop,
                results=results,
                note=request.POST.get("note", ""),
                photos=request.FILES.getlist("photos"),
                reinspection_of=original,
            )
        except (ValidationError, PermissionDenied) as error:
            errors = (
                [m for msgs in error.message_dict.values() for m in msgs]
                if isinstance(error, ValidationError) and hasattr(error, "error_dict")
                else list(getattr(error, "messages", [str(error)]))
            )
        else:
            failed = [r for r in inspection.results.all() if not r.passed]
            if failed:
                messages.warning(
                    request,
                    _("检查已记录：%(n)d 项不合格，已转为案件，请于 %(due)s 前复查")
                    % {
                        "n": len(failed),
                        "due": timezone.localtime(inspection.reinspect_by).strftime("%Y-%m-%d"),
                    },
                )
            else:
                messages.success(request, _("检查已记录：全部合格"))
            return redirect("shops:shop", pk=shop.pk)
    rows = [
        {
            "item": item,
            "verdict": values.get(item.pk, (None, ""))[0],
            "note": values.get(item.pk, (None, ""))[1],
        }
        for item in items
    ]
    return render(
        request,
        "shops/inspect.html",
        {"shop": shop, "rows": rows, "original": original, "errors": errors},
    )
