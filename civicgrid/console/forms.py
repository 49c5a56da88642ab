"""Forms of the console: the queue filters and one small form per action of the case loop.

The action forms only carry what the user typed to the cases.services function; the rules
(required reasons, lengths, day limits, departments) live in the services, so the page and the
API refuse exactly the same input with the same messages — shown next to the field through
web.forms.add_service_errors. Text fields are therefore optional here on purpose.
"""

from html import escape as html_escape
from itertools import groupby

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.models import Department
from civicgrid.cases.choices import (
    SOURCES_NOT_BY_HAND,
    CaseSource,
    HotlineRequestType,
    MediationOutcome,
    Rating,
)
from civicgrid.cases.models import Category
from civicgrid.cases.services.checks import MAX_DESCRIPTION, PHONE_RE
from civicgrid.core.forms import DateInput, FilterFormMixin, all_choices
from civicgrid.core.inputs import validate_date_range
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.grids.scoping import visible_grids, visible_micro_grids


def _textarea(rows=3):
    return forms.Textarea(attrs={"rows": rows})


class ValuesChoiceIterator(ModelChoiceIterator):
    """The options read as plain values (values_list: one round trip, no model instances),
    labelled by the field's `values_choices` exactly as `label_from_instance` would — the
    queue's filters list every micro-grid and category, and building a model instance per
    option was most of the filter form's cost."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.field.values_choices(self.queryset)


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        if obj.parent_id is None:
            return f"{obj.get_family_display()} {obj.code} {obj.name}"
        return f"\u3000{obj.code} {obj.name}"


class LeanCategoryChoiceField(CategoryChoiceField):
    iterator = ValuesChoiceIterator

    def values_choices(self, queryset):
        families = {v: str(label) for v, label in Category._meta.get_field("family").flatchoices}
        for pk, parent, family, code, name in queryset.values_list(
            "pk", "parent_id", "family", "code", "name"
        ):
            if parent is None:
                yield (pk, f"{families.get(family, family)} {code} {name}")
            else:
                yield (pk, f"\u3000{code} {name}")


class GridChoiceField(forms.ModelChoiceField):
    iterator = ValuesChoiceIterator

    def label_from_instance(self, obj):
        return obj.name

    def values_choices(self, queryset):
        return queryset.values_list("pk", "name")


class NamedChoiceField(forms.ModelChoiceField):
    """Options labelled by the row's name (str() of a department)."""

    iterator = ValuesChoiceIterator

    def values_choices(self, queryset):
        return queryset.values_list("pk", "name")


def micro_grid_label(grid) -> str:
    """A micro-grid named with its 居村 ("<居村> · 第N网格"): its own name repeats across 居村."""
    return f"{grid.parent.name} · {grid.name}" if grid.parent_id else grid.name


class MicroGridChoiceField(forms.ModelChoiceField):
    """微网格 options labelled with their 居村 and grouped by it (one <optgroup> per 居村, in
    the queryset's order; one query, read whole: a server-side cursor costs three round trips)."""

    iterator = ValuesChoiceIterator

    def label_from_instance(self, obj):
        return micro_grid_label(obj)

    def values_choices(self, queryset):
        rows = queryset.values_list("pk", "name", "parent_id", "parent__name")
        for _parent, grids in groupby(list(rows), key=lambda row: row[2]):
            grids = list(grids)
            group = grids[0][3] if grids[0][2] is not None else ""
            yield (
                group or "",
                [
                    (pk, f"{parent_name} · {name}" if parent else name)
                    for pk, name, parent, parent_name in grids
                ],
            )


class LeanSelect(forms.Select):
    """A <select> written in Python in one pass: Django renders a template per option, and the
    queue's filters hold hundreds of options (micro-grids, categories) — that was about half of
    the queue page's time. Same markup as forms.Select (attributes, optgroups, selected)."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        parts = [
            format_html('<select name="{}"{}>', name, flatatt(self.build_attrs(self.attrs, attrs)))
        ]

        def option(value, label):
            value = "" if value is None else str(value)
            mark = " selected" if value in chosen else ""
            # html.escape: what django.utils.html.escape does, without its lazy-string wrapper
            # (a call per option, hundreds of options a page).
            return f'<option value="{html_escape(value)}"{mark}>{html_escape(str(label))}</option>'

        for value, label in self.choices:
            if isinstance(label, (list, tuple)):
                parts.append(f'<optgroup label="{html_escape(str(value))}">')
                parts.extend(option(v, lab) for v, lab in label)
                parts.append("</optgroup>")
            else:
                parts.append(option(value, label))
        parts.append("</select>")
        return mark_safe("".join(parts))  # every value and label escaped above


def active_departments():
    return Department.objects.filter(is_active=True).order_by("code")


def leaf_categories():
    return (
        Category.objects.filter(is_active=True, parent__isnull=False)
        .select_related("parent")
        .order_by("family", "code")
    )


class QueueFilterForm(FilterFormMixin, forms.Form):
    """GET filters of the queues; invalid values are ignored (and shown), never a 500."""

    tab = forms.CharField(required=False, widget=forms.HiddenInput)
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("案件编号或描述")}),
    )
    community = GridChoiceField(
        label=_("居村"), queryset=Grid.objects.none(), required=False, widget=LeanSelect
    )
    micro_grid = MicroGridChoiceField(
        label=_("微网格"), queryset=Grid.objects.none(), required=False, widget=LeanSelect
    )
    category = LeanCategoryChoiceField(
        label=_("类别"), queryset=Category.objects.none(), required=False, widget=LeanSelect
    )
    source = forms.ChoiceField(label=_("来源"), required=False, widget=LeanSelect)
    department = NamedChoiceField(
        label=_("处置部门"), queryset=Department.objects.none(), required=False, widget=LeanSelect
    )
    date_from = forms.DateField(
        label=_("上报日期起"),
        required=False,
        widget=DateInput(),
        validators=[validate_date_range],
    )
    date_to = forms.DateField(
        label=_("上报日期止"),
        required=False,
        widget=DateInput(),
        validators=[validate_date_range],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        light = ("geometry",)
        self.fields["community"].queryset = (
            visible_grids(user).filter(level=GridLevel.COMMUNITY).defer(*light).order_by("code")
        )
        micro = visible_micro_grids(user)
        if micro is None:
            micro = Grid.objects.filter(level=GridLevel.MICRO_GRID)
        community = self._chosen_community()
        if community is not None:
            # Once a 居村 is chosen, only its micro-grids (another one's is refused and ignored).
            micro = micro.filter(parent=community)
        self.fields["micro_grid"].queryset = (
            micro.select_related("parent")
            .defer(*light, *(f"parent__{f}" for f in light))
            .order_by("parent__code", "parent_id", "code")
        )
        self.fields["category"].queryset = Category.objects.filter(is_active=True).order_by(
            "family", "code", "parent_id"
        )
        self.fields["source"].choices = all_choices(CaseSource.choices)
        self.fields["department"].queryset = Department.objects.order_by("code")

    # The options read from the database (console.queries caches them: they change rarely).
    OPTION_FIELDS = ("community", "micro_grid", "category", "department")

    def option_choices(self) -> dict:
        """{field: its options as plain lists} (what the form's <select>s list)."""
        return {
            name: [
                (value, [tuple(o) for o in label] if isinstance(label, list) else str(label))
                for value, label in self.fields[name].choices
            ]
            for name in self.OPTION_FIELDS
        }

    def use_options(self, options: dict) -> None:
        """Show `options` (option_choices(), perhaps cached) instead of reading them; a submitted
        value is still checked against the field's queryset."""
        for name in self.OPTION_FIELDS:
            field = self.fields[name]
            # Already plain (value, label) pairs: set as the `choices` setters would leave
            # them, without normalising hundreds of options twice more.
            field._choices = field.widget._choices = options[name]

    def _chosen_community(self):
        """The 居村 the submitted data chooses (among the user's), or None."""
        if not self.is_bound:
            return None
        value = self.data.get(self.add_prefix("community"))
        if value in (None, ""):
            return None
        try:
            return self.fields["community"].clean(value)
        except ValidationError:
            return None

    def filters(self) -> dict:
        """The valid filters (an invalid one is dropped, its error stays on the form)."""
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v not in (None, "")}


# --- actions -------------------------------------------------------------------------------------


class ActionForm(forms.Form):
    """Base of the action forms: knows the case and the user (for choices)."""

    def __init__(self, *args, case, user, **kwargs):
        self.case = case
        self.user = user
        super().__init__(*args, **kwargs)


class NoteForm(ActionForm):
    note = forms.CharField(label=_("说明"), required=False, widget=_textarea(2))


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("理由"), required=False, widget=_textarea())


class LocateForm(NoteForm):
    """人工定位: a point inside a micro-grid (a tap on the case's map fills it)."""

    lon = forms.FloatField(label=_("经度"), required=False)
    lat = forms.FloatField(label=_("纬度"), required=False)
    field_order = ["lon", "lat", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lon"].initial = self.case.lon
        self.fields["lat"].initial = self.case.lat


class FileForm(NoteForm):
    category = CategoryChoiceField(
        label=_("类别（可更正）"), queryset=Category.objects.none(), required=False
    )
    field_order = ["category", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = leaf_categories()
        self.fields["category"].initial = self.case.category_id


class DispatchForm(NoteForm):
    department = forms.ModelChoiceField(
        label=_("处置部门"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("（按类别默认部门）"),
    )
    to_grid = forms.BooleanField(label=_("派给网格处置（不派部门）"), required=False)
    co_departments = forms.ModelMultipleChoiceField(
        label=_("协办部门"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("可选：各协办部门反馈后，主办部门才能提交处置结果"),
    )
    field_order = ["department", "to_grid", "co_departments", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = active_departments()
        self.fields["department"].initial = self.case.category.default_department_id
        self.fields["co_departments"].queryset = active_departments()


class RedispatchForm(ActionForm):
    """改派: another department (the case's own is left out), with co-handlers and the reason."""

    department = forms.ModelChoiceField(
        label=_("改派到"), queryset=Department.objects.none(), required=False
    )
    co_departments = DispatchForm.base_fields["co_departments"]
    reason = forms.CharField(label=_("改派理由"), required=False, widget=_textarea(2))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        others = active_departments()
        if self.case.assigned_department_id and not self.case.handled_by_grid:
            others = others.exclude(pk=self.case.assigned_department_id)
        self.fields["department"].queryset = others
        self.fields["co_departments"].queryset = active_departments()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several photos in one input (`<input type=file multiple>`)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class HandleForm(ActionForm):
    result = forms.CharField(label=_("处置结果"), required=False, widget=_textarea())
    photos = MultipleImageField(
        label=_("处置后照片"), required=False, help_text=_("可选多张；JPEG、PNG 或 WebP")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.case.category.needs_mediation_outcome:
            # 矛盾纠纷: the service requires the outcome (and refuses it for other categories).
            self.fields["mediation_outcome"] = forms.ChoiceField(
                label=_("调解结果"),
                choices=[("", "---------"), *MediationOutcome.choices],
                required=False,
            )


def _yes_no(value):
    return {"true": True, "false": False}.get(value)


class VerifyPassForm(NoteForm):
    resolved = forms.TypedChoiceField(
        label=_("问题是否解决"),
        choices=[("true", _("是")), ("false", _("否"))],
        coerce=_yes_no,
        empty_value=None,
        required=False,
        initial="true",
        widget=forms.RadioSelect,
    )
    field_order = ["resolved", "note"]


class FirstContactForm(ActionForm):
    note = forms.CharField(label=_("联系情况"), required=False, widget=_textarea(2))


class CoFeedbackForm(ActionForm):
    """协办反馈: the co-handling department's part, with photos."""

    feedback = forms.CharField(label=_("协办意见"), required=False, widget=_textarea())
    photos = MultipleImageField(
        label=_("照片"), required=False, help_text=_("可选多张；JPEG、PNG 或 WebP")
    )


class ReworkForm(ActionForm):
    reason = forms.CharField(label=_("返工原因"), required=False, widget=_textarea())
    photos = MultipleImageField(
        label=_("现场照片"), required=False, help_text=_("可选：拍下仍未解决的情况")
    )


class ExtensionRequestForm(ActionForm):
    days = forms.CharField(
        label=_("延期工作日数"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "max": 30}),
    )
    reason = forms.CharField(label=_("延期理由"), required=False, widget=_textarea())


class DecideExtensionForm(ActionForm):
    extension = forms.IntegerField(widget=forms.HiddenInput, required=False)
    decision = forms.ChoiceField(
        label=_("审批"),
        choices=[("approve", _("批准")), ("reject", _("驳回"))],
        widget=forms.RadioSelect,
        initial="approve",
        error_messages={"required": _("请选择批准或驳回")},
    )
    note = forms.CharField(label=_("审批意见"), required=False, widget=_textarea(2))

    def clean(self):
        cleaned = super().clean()
        # The service's argument (cases.actions: decide_extension takes `approve`).
        cleaned["approve"] = cleaned.get("decision") == "approve"
        return cleaned


class MergeForm(ActionForm):
    master = forms.CharField(
        label=_("主案件编号"),
        required=False,
        max_length=20,
        help_text=_("本案将并入该案件并停止流转"),
    )
    note = forms.CharField(label=_("合并说明"), required=False, widget=_textarea(2))


class CallInForm(ActionForm):
    reason = forms.CharField(label=_("约请事由"), required=False, widget=_textarea())
    departments = forms.ModelMultipleChoiceField(
        label=_("约请部门"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("限超期案件，或需要两个以上部门协同的案件"),
    )
    meeting_at = forms.DateTimeField(
        label=_("会商时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = active_departments()


class CallInOutcomeForm(ActionForm):
    call_in = forms.IntegerField(widget=forms.HiddenInput, required=False)
    outcome = forms.CharField(label=_("约请结果"), required=False, widget=_textarea())
    meeting_at = CallInForm.base_fields["meeting_at"]


class RateForm(ActionForm):
    rating = forms.ChoiceField(
        label=_("回访评价"), choices=[("", "---------"), *Rating.choices], required=False
    )
    comment = forms.CharField(label=_("评价意见"), required=False, widget=_textarea(2))
    resolved = forms.TypedChoiceField(
        label=_("问题是否解决"),
        choices=[("", _("（不变）")), ("true", _("是")), ("false", _("否"))],
        coerce=_yes_no,
        empty_value=None,
        required=False,
    )


class BulkDispatchForm(forms.Form):
    """Several 待派遣 cases to one department (or each to its category's default)."""

    cases = forms.MultipleChoiceField(
        label=_("案件"),
        required=True,
        error_messages={"required": _("请勾选要派遣的案件")},
    )
    # Named apart from the queue filters, which the same POST carries along.
    dispatch_department = forms.ModelChoiceField(
        label=_("派遣到"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("（各按类别默认部门）"),
    )
    dispatch_to_grid = forms.BooleanField(label=_("派给网格处置"), required=False)
    dispatch_note = forms.CharField(label=_("派遣说明"), required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dispatch_department"].queryset = active_departments()
        # Any case number; the view looks each one up in the user's scope and names the missing.
        numbers = self.data.getlist("cases") if hasattr(self.data, "getlist") else []
        self.fields["cases"].choices = [(n, n) for n in numbers]


# --- the desk: a case registered by hand, bulk filing ----------------------------------------


class ChannelField(forms.ChoiceField):
    """受理渠道: a source only its own service sets (cases.choices.SOURCES_NOT_BY_HAND) is refused
    with the reason, not as an unknown choice."""

    def validate(self, value):
        if value in SOURCES_NOT_BY_HAND:
            raise ValidationError(SOURCES_NOT_BY_HAND[value], code="not_by_hand")
        super().validate(value)


class CaseEntryForm(forms.Form):
    """登记案件 at the 城运中心's desk: a call (来电), a visitor (来访) or a 12345 ticket typed in
    by hand. Every field is checked in one round trip here (the same rules as
    cases.services.do_report, which checks them again); the place is an address, a point on the
    map (its micro-grid found by grids.locator) or a micro-grid picked from the list."""

    CHANNELS = [
        (CaseSource.PHONE_CALL, CaseSource.PHONE_CALL.label),
        (CaseSource.WALK_IN, CaseSource.WALK_IN.label),
        (CaseSource.HOTLINE_12345, _("12345工单（人工录入）")),
    ]
    # do_report's field names → this form's.
    FIELD_MAP = {"source": "channel", "external_ticket": "ticket", "dispatched_at": "ticket"}

    channel = ChannelField(
        label=_("受理渠道"),
        choices=CHANNELS,
        initial=CaseSource.PHONE_CALL,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择受理渠道")},
    )
    ticket = forms.CharField(
        label=_("12345工单号"),
        required=False,
        max_length=64,
        help_text=_("热线稍后推送同一工单时，将归入本案件并补上热线办理期限"),
    )
    hotline_request_type = forms.ChoiceField(
        label=_("12345诉求类型"),
        required=False,
        choices=[("", _("（未知）")), *HotlineRequestType.choices],
    )
    category = CategoryChoiceField(
        label=_("问题类别"),
        queryset=Category.objects.none(),
        error_messages={"required": _("请选择问题类别")},
    )
    description = forms.CharField(
        label=_("问题描述"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_DESCRIPTION}),
        error_messages={
            "required": _("请填写问题描述"),
            "max_length": _("问题描述不能超过%(limit_value)d个字"),
        },
    )
    address = forms.CharField(label=_("地址"), required=False, max_length=200)
    lon = forms.FloatField(
        label=_("经度"), required=False, min_value=-180, max_value=180, widget=forms.HiddenInput
    )
    lat = forms.FloatField(
        label=_("纬度"), required=False, min_value=-90, max_value=90, widget=forms.HiddenInput
    )
    micro_grid = MicroGridChoiceField(
        label=_("微网格"),
        queryset=Grid.objects.none(),
        required=False,
        empty_label=_("（按地图选点定位）"),
        help_text=_("来电人说不清位置时可直接选择微网格"),
    )
    reporter_name = forms.CharField(label=_("来电人/来访人姓名"), required=False, max_length=50)
    reporter_phone = forms.CharField(
        label=_("联系电话"),
        required=False,
        max_length=32,
        help_text=_("保存后按规则打码显示，查看完整号码将留痕"),
    )
    photos = MultipleImageField(
        label=_("照片"), required=False, help_text=_("可选多张；JPEG、PNG 或 WebP")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = leaf_categories()
        self.fields["micro_grid"].queryset = (
            Grid.objects.filter(level=GridLevel.MICRO_GRID)
            .select_related("parent")
            .defer("geometry", "parent__geometry")
            .order_by("parent__code", "parent_id", "code")
        )

    def clean_reporter_phone(self):
        phone = self.cleaned_data["reporter_phone"].strip()
        if phone and not PHONE_RE.match(phone):
            raise ValidationError(_("联系电话格式不正确"))
        return phone

    def clean(self):
        data = super().clean()
        channel = data.get("channel")
        if channel == CaseSource.HOTLINE_12345:
            if not (data.get("ticket") or "").strip():
                self.add_error("ticket", _("12345工单请填写工单号"))
        else:
            if (data.get("ticket") or "").strip():
                self.add_error("ticket", _("工单号只用于12345工单"))
            if data.get("hotline_request_type"):
                self.add_error("hotline_request_type", _("诉求类型只用于12345工单"))
        lon, lat = data.get("lon"), data.get("lat")
        if (lon is None) != (lat is None) and "lon" not in self.errors:
            self.add_error("address", _("地图选点不完整，请重新选点"))
        if (
            not (data.get("address") or "").strip()
            and lon is None
            and data.get("micro_grid") is None
            and not {"address", "micro_grid"} & set(self.errors)
        ):
            self.add_error("address", _("请填写地址、在地图上选点或选择微网格"))
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        hotline = data["channel"] == CaseSource.HOTLINE_12345
        return {
            "source": data["channel"],
            "external_ticket": data["ticket"].strip() if hotline else "",
            "hotline_request_type": data["hotline_request_type"] if hotline else "",
            "category": data["category"],
            "description": data["description"],
            "address": data["address"],
            "lon": data["lon"],
            "lat": data["lat"],
            "micro_grid": data["micro_grid"],
            "reporter_name": data["reporter_name"],
            "reporter_phone": data["reporter_phone"],
            "photos": data["photos"],
        }


class BulkFilingForm(forms.Form):
    """立案 or 不予立案 of the cases ticked on 待受理 (不予立案 needs its reason)."""

    cases = forms.MultipleChoiceField(
        label=_("案件"), error_messages={"required": _("请勾选要处理的案件")}
    )
    decision = forms.ChoiceField(
        label=_("处理"),
        choices=[("file", _("立案")), ("refuse", _("不予立案"))],
        widget=forms.RadioSelect,
        initial="file",
        error_messages={"required": _("请选择立案或不予立案")},
    )
    reason = forms.CharField(
        label=_("说明/不予立案理由"), required=False, max_length=2000, widget=_textarea(2)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        numbers = self.data.getlist("cases") if hasattr(self.data, "getlist") else []
        self.fields["cases"].choices = [(n, n) for n in numbers]

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("请填写不予立案理由"))
        return data
