"""The desk's forms of the 创建/创评 programme: a campaign, a 测评项, an action, a checkpoint, a
违法建筑 and a 居村's 无违建 status. They only read input: every check that matters (limits,
clashes, states, scope) is the services', whose ValidationError lands on the field it names."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.campaigns.choices import CampaignLevel, CheckpointKind, CreationStatus, OwnerKind
from civicgrid.core.forms import DateInput, MultiplePhotoField
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid


class ChineseForm(forms.Form):
    """A required field left empty says what is missing (请填写… / 请选择…)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            label = field.label or ""
            if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
                field.error_messages["required"] = _("请选择%(label)s") % {"label": label}
                field.error_messages["invalid_choice"] = _("请选择%(label)s") % {"label": label}
            else:
                field.error_messages["required"] = _("请填写%(label)s") % {"label": label}
                field.error_messages["invalid"] = _("请填写正确的%(label)s") % {"label": label}


class CampaignForm(ChineseForm):
    name = forms.CharField(label=gettext_lazy("活动名称"), max_length=100)
    level = forms.ChoiceField(label=gettext_lazy("级别"), choices=CampaignLevel.choices)
    starts_on = forms.DateField(label=gettext_lazy("开始日期"), widget=DateInput())
    ends_on = forms.DateField(label=gettext_lazy("结束日期"), widget=DateInput())
    review_on = forms.DateField(label=gettext_lazy("评审日期"), widget=DateInput(), required=False)
    re_review_on = forms.DateField(
        label=gettext_lazy("复评日期"), widget=DateInput(), required=False
    )
    target_percent = forms.IntegerField(label=gettext_lazy("达标线（百分比）"), initial=90)
    is_active = forms.BooleanField(label=gettext_lazy("进行中"), required=False, initial=True)


class ItemForm(ChineseForm):
    kind = forms.ChoiceField(label=gettext_lazy("点位类型"), choices=CheckpointKind.choices)
    name = forms.CharField(label=gettext_lazy("测评项"), max_length=60)
    description = forms.CharField(label=gettext_lazy("测评内容"), max_length=300, required=False)
    order = forms.IntegerField(label=gettext_lazy("排序"), initial=0, required=False)
    is_active = forms.BooleanField(label=gettext_lazy("启用"), required=False, initial=True)


class ActionForm(ChineseForm):
    name = forms.CharField(label=gettext_lazy("行动名称"), max_length=60)
    owner = forms.CharField(label=gettext_lazy("牵头单位"), max_length=100)
    order = forms.IntegerField(label=gettext_lazy("排序"), initial=0, required=False)


def _communities(user=None):
    from civicgrid.grids.scoping import visible_grids, visible_micro_grids

    grids = Grid.objects.filter(level=GridLevel.COMMUNITY).order_by("code")
    if user is not None and visible_micro_grids(user) is not None:
        grids = grids.filter(pk__in=visible_grids(user).values("pk"))
    return grids


class CommunityChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class CheckpointForm(ChineseForm):
    kind = forms.ChoiceField(label=gettext_lazy("点位类型"), choices=CheckpointKind.choices)
    name = forms.CharField(label=gettext_lazy("点位名称"), max_length=100)
    address = forms.CharField(label=gettext_lazy("地址"), max_length=200, required=False)
    community = CommunityChoice(label=gettext_lazy("居村"), queryset=Grid.objects.none())
    owner_kind = forms.ChoiceField(label=gettext_lazy("责任主体类型"), choices=OwnerKind.choices)
    owner_name = forms.CharField(label=gettext_lazy("责任主体"), max_length=100)
    lon = forms.FloatField(label=gettext_lazy("经度"), required=False)
    lat = forms.FloatField(label=gettext_lazy("纬度"), required=False)
    is_active = forms.BooleanField(label=gettext_lazy("启用"), required=False, initial=True)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = _communities(user)


class StructureForm(ChineseForm):
    community = CommunityChoice(label=gettext_lazy("居村"), queryset=Grid.objects.none())
    address = forms.CharField(label=gettext_lazy("地址"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("情况"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    area_m2 = forms.CharField(label=gettext_lazy("面积（平方米）"), max_length=20)
    found_on = forms.DateField(label=gettext_lazy("发现日期"), widget=DateInput())
    lon = forms.FloatField(label=gettext_lazy("经度"), required=False)
    lat = forms.FloatField(label=gettext_lazy("纬度"), required=False)
    photos = MultiplePhotoField(label=gettext_lazy("照片"), camera=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = _communities(user)


class CreationStatusForm(ChineseForm):
    community = CommunityChoice(label=gettext_lazy("居村"), queryset=Grid.objects.none())
    status = forms.ChoiceField(label=gettext_lazy("创建状态"), choices=CreationStatus.choices)
    note = forms.CharField(label=gettext_lazy("说明"), max_length=300, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = _communities(user)
