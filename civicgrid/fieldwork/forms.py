"""Forms of the phone pages: each maps to one service call; the services do the real checks
and their ValidationError lands next to the field (web.forms.add_service_errors)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.cases.models import Category
from civicgrid.fieldwork.choices import FindingResult, PatrolShift

PHOTO_ATTRS = {"accept": "image/*", "capture": "environment"}


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True
    template_name = "django/forms/widgets/file.html"


class MultiplePhotoField(forms.FileField):
    """Several photos from the camera; the attachments service checks each one."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={**PHOTO_ATTRS, "multiple": True}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultiplePhotoField, self).clean(f, initial) for f in files]


def photo_field(label=None):
    return forms.FileField(
        label=label or _("照片"),
        required=False,
        widget=forms.FileInput(attrs=PHOTO_ATTRS),
    )


def category_choices(recent_ids):
    """Second-level categories grouped by their class, the user's recently used ones first."""
    leaves = list(
        Category.objects.filter(is_active=True, parent__isnull=False)
        .select_related("parent")
        .order_by("family", "code")
    )
    by_id = {c.pk: c for c in leaves}
    groups = []
    recent = [(c.pk, c.name) for c in (by_id.get(i) for i in recent_ids) if c]
    if recent:
        groups.append((_("最近使用"), recent))
    current, options = None, []
    for c in leaves:
        label = f"{c.get_family_display()} · {c.parent.name}"
        if label != current:
            if options:
                groups.append((current, options))
            current, options = label, []
        options.append((c.pk, c.name))
    if options:
        groups.append((current, options))
    return [("", _("请选择问题类别")), *groups]


class ReportForm(forms.Form):
    category = forms.TypedChoiceField(label=_("问题类别"), coerce=int)
    description = forms.CharField(
        label=_("问题描述"),
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": _("例如:3号楼楼道内堆放纸箱,堵塞通道")}
        ),
    )
    address = forms.CharField(
        label=_("位置说明"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("例如:秀沿路1501弄12号门口")}),
    )
    lon = forms.CharField(required=False, widget=forms.HiddenInput)
    lat = forms.CharField(required=False, widget=forms.HiddenInput)
    photos = MultiplePhotoField(label=_("现场照片"), help_text=_("可拍摄多张,每张不超过10 MB"))

    def __init__(self, *args, recent_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(recent_ids)


class HandleForm(forms.Form):
    result = forms.CharField(
        label=_("处置结果"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = MultiplePhotoField(label=_("处置后照片"))


class AcceptForm(forms.Form):
    note = forms.CharField(label=_("说明"), max_length=2000, required=False)


class VerifyForm(forms.Form):
    PASS, FAIL = "pass", "fail"
    decision = forms.ChoiceField(
        label=_("核查结论"),
        choices=[(PASS, _("核查通过")), (FAIL, _("不通过,返工"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("核查意见 / 返工原因"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("返工时必填"),
    )
    photo = photo_field(_("核查现场照片"))


class StartPatrolForm(forms.Form):
    micro_grid = forms.ModelChoiceField(label=_("巡查网格"), queryset=None, empty_label=None)
    shift = forms.ChoiceField(label=_("班次"), choices=PatrolShift.choices)

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["micro_grid"].queryset = grids


class FindingForm(forms.Form):
    result = forms.ChoiceField(label=_("结果"), choices=FindingResult.choices)
    note = forms.CharField(label=_("情况说明"), max_length=500, required=False)
    photo = photo_field()


class FinishPatrolForm(forms.Form):
    note = forms.CharField(
        label=_("巡查小结"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class VisitForm(forms.Form):
    household = forms.IntegerField(widget=forms.HiddenInput)
    visited_at = forms.DateTimeField(
        label=_("走访时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    topics = forms.CharField(
        label=_("询问事项"),
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": _("例如:了解独居老人身体状况,询问加装电梯意愿")}
        ),
    )
    follow_ups = forms.CharField(
        label=_("跟进事项"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一条,如:联系物业修复楼道灯"),
    )
    needs = forms.TypedMultipleChoiceField(
        label=_("急难愁盼"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        from civicgrid.fieldwork.models import NeedKind

        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault(
            "visited_at", timezone.localtime().replace(second=0, microsecond=0)
        )
        super().__init__(*args, **kwargs)
        self.fields["needs"].choices = list(
            NeedKind.objects.filter(is_active=True).values_list("pk", "name")
        )

    def follow_up_lines(self):
        return (self.cleaned_data.get("follow_ups") or "").splitlines()


class WorkPlanForm(forms.Form):
    meeting_date = forms.DateField(
        label=_("专题会日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    work_plan = forms.CharField(
        label=_("工作方案"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
