"""Forms of the flood register, the stores, the plans and the drills' findings. They only carry
what was typed: emergency.services checks it (each problem in Chinese, next to its field through
core.pages.run_form) and does every write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from civicgrid.core.forms import DateInput
from civicgrid.emergency.choices import (
    EmergencyKind,
    FindingOutcome,
    Level,
    PointKind,
    Risk,
    Supply,
    WorkKind,
    WorkState,
)
from civicgrid.estates.fields import EstateChoiceField
from civicgrid.estates.models import Estate
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid


class GridChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name if obj.level == GridLevel.MICRO_GRID else obj.name


def _text(label, max_length, *, required=False, rows=None):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else None
    return forms.CharField(label=label, max_length=max_length, required=required, widget=widget)


def _whole(label, *, initial=None, required=True):
    # Whole numbers are checked by the service (range and message); the form keeps the text.
    return forms.CharField(
        label=label,
        required=required,
        initial=initial,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )


class PointForm(forms.Form):
    """易积水点: name, kind, where (micro-grid, estate, address, a point on the map), risk."""

    name = _text(_("名称"), 100)
    kind = forms.ChoiceField(label=_("类型"), choices=PointKind.choices)
    micro_grid = GridChoiceField(
        label=_("微网格"),
        queryset=Grid.objects.filter(level=GridLevel.MICRO_GRID).select_related("parent"),
        required=False,
    )
    estate = EstateChoiceField(
        label=_("小区"), queryset=Estate.objects.order_by("name", "pk"), required=False
    )
    address = _text(_("位置"), 200)
    lon = forms.FloatField(label=_("经度"), required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(label=_("纬度"), required=False, widget=forms.HiddenInput)
    risk = forms.ChoiceField(label=_("积水风险"), choices=Risk.choices, initial=Risk.MEDIUM)
    households = _whole(_("受影响户数"), initial=0, required=False)
    note = _text(_("说明"), 300)

    @staticmethod
    def initial_for(point) -> dict:
        fields = ["name", "kind", "address", "lon", "lat", "risk", "households", "note"]
        out = {name: getattr(point, name) for name in fields}
        out.update(micro_grid=point.micro_grid_id, estate=point.estate_id)
        return out


class PointPageForm(forms.Form):
    """A form of the flood point's page, which holds three (a contact, a work, a work's state):
    each names its fields' ids after itself (`ids`), so that the page holds no id twice."""

    ids = "id_%s"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", self.ids)
        super().__init__(*args, **kwargs)


class ContactForm(PointPageForm):
    ids = "contact_%s"
    name = _text(_("姓名"), 50)
    title = _text(_("身份"), 50)
    phone = _text(_("电话"), 20)


class WorkForm(PointPageForm):
    ids = "work_%s"
    kind = forms.ChoiceField(label=_("类型"), choices=WorkKind.choices)
    name = _text(_("名称"), 100)
    state = forms.ChoiceField(label=_("状态"), choices=WorkState.choices)
    capacity = _whole(_("排水能力（立方米/小时）"), required=False)


class WorkStateForm(PointPageForm):
    ids = "work_state_%s"
    state = forms.ChoiceField(label=_("新状态"), choices=WorkState.choices)
    note = _text(_("说明"), 300)


class StoreForm(forms.Form):
    name = _text(_("名称"), 100)
    community = GridChoiceField(
        label=_("居村"),
        queryset=Grid.objects.filter(level=GridLevel.COMMUNITY).order_by("code", "pk"),
        required=False,
        empty_label=_("街道仓库"),
    )
    address = _text(_("地址"), 200)


class MoveForm(forms.Form):
    supply = forms.ChoiceField(label=_("物资"), choices=Supply.choices)
    change = _whole(_("数量（入库为正，出库为负）"))
    reason = _text(_("事由"), 200)


class PlanForm(forms.Form):
    title = _text(_("名称"), 100)
    summary = _text(_("要点"), 5000, rows=5)


class LevelPlanForm(forms.Form):
    level = forms.ChoiceField(label=_("等级"), choices=Level.choices)
    patrol_risk = forms.ChoiceField(
        label=_("巡查点位（风险不低于）"), choices=Risk.choices, initial=Risk.HIGH
    )
    patrol_every_minutes = _whole(_("巡查间隔（分钟）"), initial=120)
    sandbags_per_point = _whole(_("每点预置沙袋"), initial=0)
    pumps_per_point = _whole(_("每点预置移动泵"), initial=0)
    instructions = _text(_("值守要求"), 2000, rows=3)


class NewPlanForm(PlanForm):
    kind = forms.ChoiceField(label=_("种类"), choices=EmergencyKind.choices)
    field_order = ["kind", "title", "summary"]


class FindingForm(forms.Form):
    """A drill's finding written up afterwards: a task for a person or a case at a point."""

    text = _text(_("问题"), 300)
    outcome = forms.ChoiceField(label=_("处理方式"), choices=FindingOutcome.choices)
    assignee = forms.ModelChoiceField(label=_("负责人"), queryset=None, required=False)
    point = forms.ModelChoiceField(label=_("点位"), queryset=None, required=False)
    due_on = forms.DateField(label=_("完成时限"), required=False, widget=DateInput())

    def __init__(self, *args, staff, points, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff
        self.fields["assignee"].label_from_instance = lambda u: u.choice_label
        self.fields["point"].queryset = points
        self.fields["point"].label_from_instance = lambda p: p.choice_label
