"""The desk's forms for campaigns, projects, milestones, photos and residents' ideas. They only
read input: every check that matters (scope, states, limits) is the services', whose
ValidationError lands on the field it names."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.cases.models import Case
from civicgrid.cases.permissions import scope_cases
from civicgrid.core.forms import DateInput
from civicgrid.estates.fields import EstateChoiceField
from civicgrid.estates.models import Estate
from civicgrid.projects import services
from civicgrid.projects.choices import (
    CampaignLevel,
    FocusArea,
    HomeKind,
    PhotoStage,
    ProjectKind,
)
from civicgrid.projects.models import ScoringTemplate


class CampaignForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("征集名称"), max_length=100)
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    level = forms.ChoiceField(label=gettext_lazy("层级"), choices=CampaignLevel.choices)
    starts_on = forms.DateField(label=gettext_lazy("开始日期"), widget=DateInput())
    ends_on = forms.DateField(label=gettext_lazy("截止日期"), widget=DateInput())
    focus_areas = forms.MultipleChoiceField(
        label=gettext_lazy("征集方向"),
        choices=FocusArea.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    quota = forms.IntegerField(label=gettext_lazy("推荐名额"), min_value=1, max_value=100)
    template = forms.ModelChoiceField(
        label=gettext_lazy("评分模板"),
        queryset=ScoringTemplate.objects.order_by("id"),
        required=False,
        help_text=gettext_lazy(
            "不选则使用默认模板：党建引领20、群众参与20、问题解决实效30、创新15、可复制推广15。"
        ),
    )
    hearing_required = forms.BooleanField(
        label=gettext_lazy("施工前须召开听证会"), required=False, initial=True
    )

    @staticmethod
    def initial_for(campaign) -> dict:
        return {
            "name": campaign.name,
            "year": campaign.year,
            "level": campaign.level,
            "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on,
            "focus_areas": campaign.focus_areas,
            "quota": campaign.quota,
            "template": campaign.template_id,
            "hearing_required": campaign.hearing_required,
        }


def parse_deliverables(text: str) -> list:
    """One deliverable a line: “项目 数量 单位” (花坛 3 处；晾衣架 120 副). A line that does not
    read so is refused with its number."""
    rows = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.replace("，", " ").replace(",", " ").replace("\u3000", " ").strip()
        if not line:
            continue
        parts = line.split()
        try:
            if len(parts) != 3:
                raise InvalidOperation
            quantity = Decimal(parts[1])
        except InvalidOperation:
            raise ValidationError(
                _("第%(n)s行应写作“项目 数量 单位”，如“花坛 3 处”。") % {"n": number}
            ) from None
        rows.append((parts[0], quantity, parts[2]))
    return rows


def deliverables_text(project) -> str:
    return "\n".join(
        f"{d.item} {d.quantity.normalize():f} {d.unit}" for d in project.deliverables.all()
    )


class ProjectForm(forms.Form):
    campaign = forms.ModelChoiceField(label=gettext_lazy("征集"), queryset=None)
    title = forms.CharField(label=gettext_lazy("项目名称"), max_length=100)
    community = forms.ModelChoiceField(label=gettext_lazy("居村"), queryset=None)
    estate = EstateChoiceField(
        label=gettext_lazy("小区"), queryset=Estate.objects.none(), required=False
    )
    kind = forms.ChoiceField(label=gettext_lazy("项目类型"), choices=ProjectKind.choices)
    home_kind = forms.ChoiceField(
        label=gettext_lazy("美丽家园类别"),
        choices=[("", "—")] + list(HomeKind.choices),
        required=False,
    )
    summary = forms.CharField(
        label=gettext_lazy("项目简介"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    lon = forms.FloatField(label=gettext_lazy("经度"), required=False)
    lat = forms.FloatField(label=gettext_lazy("纬度"), required=False)
    case_numbers = forms.CharField(
        label=gettext_lazy("关联案件"),
        required=False,
        help_text=gettext_lazy("案件编号，多个用空格或逗号分隔。"),
    )
    hotspots = forms.CharField(label=gettext_lazy("关联热点"), max_length=200, required=False)
    lead_party_organisation = forms.ModelChoiceField(
        label=gettext_lazy("牵头党组织"), queryset=None, required=False
    )
    lead_organisation = forms.CharField(
        label=gettext_lazy("牵头党组织（名册外）"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("党组织名册中没有时填写名称；已在上面选择的不必填写。"),
    )
    partners = forms.CharField(label=gettext_lazy("共建单位"), max_length=200, required=False)
    budget = forms.DecimalField(
        label=gettext_lazy("预算（万元）"), min_value=0, max_digits=10, decimal_places=2
    )
    funding = forms.CharField(label=gettext_lazy("资金来源"), max_length=100, required=False)
    deliverables = forms.CharField(
        label=gettext_lazy("建设内容"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=gettext_lazy("每行一项：项目 数量 单位，如“晾衣架 120 副”。"),
    )
    maintainer = forms.CharField(
        label=gettext_lazy("移交后管护单位"), max_length=100, required=False
    )

    def __init__(self, user, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        from civicgrid.projects.models import Campaign

        self.user = user
        communities = services.visible_communities(user)
        if communities is None:
            from civicgrid.grids.choices import GridLevel
            from civicgrid.grids.models import Grid

            communities = Grid.objects.filter(level=GridLevel.COMMUNITY)
        self.fields["community"].queryset = communities.order_by("code")
        self.fields["estate"].queryset = Estate.objects.filter(
            community__in=communities.values("pk")
        ).order_by("name")
        self.fields["campaign"].queryset = Campaign.objects.order_by("-year", "-id")
        if editing:
            del self.fields["campaign"]
        organisations = services.party_organisations(user)
        if organisations is None:
            del self.fields["lead_party_organisation"]
        else:
            current = (self.initial or {}).get("lead_party_organisation")
            if current is not None:
                # The project's own lead stays selectable after its organisation has closed.
                organisations = organisations | organisations.model.objects.filter(
                    pk=getattr(current, "pk", current)
                )
            self.fields["lead_party_organisation"].queryset = organisations

    def clean_case_numbers(self):
        numbers = [
            n
            for n in (self.cleaned_data.get("case_numbers") or "")
            .replace("，", " ")
            .replace(",", " ")
            .split()
            if n
        ]
        if len(numbers) > 50:
            raise ValidationError(_("关联案件最多50个。"))
        cases = list(scope_cases(Case.objects.filter(number__in=numbers), self.user))
        missing = sorted(set(numbers) - {c.number for c in cases})
        if missing:
            raise ValidationError(
                _("找不到这些案件（或不在您的管辖范围内）：%(n)s") % {"n": "、".join(missing)}
            )
        return cases

    def clean_deliverables(self):
        return parse_deliverables(self.cleaned_data.get("deliverables", ""))

    def clean(self):
        data = super().clean()
        if (data.get("lon") is None) != (data.get("lat") is None):
            self.add_error("lon", _("经度和纬度须同时填写。"))
        return data

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["cases"] = data.pop("case_numbers")
        data.pop("campaign", None)
        return data

    @staticmethod
    def initial_for(project) -> dict:
        initial = {field: getattr(project, field) for field in services.EDITABLE}
        initial["community"] = project.community_id
        initial["estate"] = project.estate_id
        initial["case_numbers"] = " ".join(project.cases.values_list("number", flat=True))
        initial["deliverables"] = deliverables_text(project)
        return initial


class MilestoneForm(forms.Form):
    milestone = forms.IntegerField(widget=forms.HiddenInput)
    on = forms.DateField(label=gettext_lazy("日期"), widget=DateInput())


class PhotoForm(forms.Form):
    stage = forms.ChoiceField(label=gettext_lazy("阶段"), choices=PhotoStage.choices)


class IdeaAcceptForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("项目名称"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("项目类型"), choices=ProjectKind.choices)
