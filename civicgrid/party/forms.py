"""The staff's forms of the party app: organisations, members and their posts, star ratings,
organisational life, service points and co-building agreements. They only read input (types,
the choices the user may pick from); every rule that matters (levels, one organisation per
micro-grid, the 网格长 head rule, dates, scope) is the services', whose ValidationError lands on
the field it names."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy

from civicgrid.core.forms import DateInput
from civicgrid.core.masking import mask_phone
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.grids.scoping import visible_grids
from civicgrid.party import services
from civicgrid.party.choices import (
    AssignmentKind,
    LifeKind,
    OrgLevel,
    PointKind,
    PointTier,
    Sector,
    Venue,
    WorkStatus,
)
from civicgrid.party.models import LifeMeeting, Member, Organisation

DATE = {"widget": DateInput()}
# An organisation or a service point covers the street, a 片区, a 居村 or a micro-grid (never a
# 楼组: thousands of them would swamp the select).
COVERED_LEVELS = [GridLevel.STREET, GridLevel.AREA, GridLevel.COMMUNITY, GridLevel.MICRO_GRID]


class GridChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name}（{obj.get_level_display()}）"


class OrgChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.short_name}（{obj.get_level_display()}）"


def member_label(member) -> str:
    """A member among an organisation's and its parent's, where two may share a name: the name,
    the organisation and the masked phone (宋菁（康桥半岛党支部 · 139****5678））."""
    known = [member.organisation.short_name]
    if member.phone:
        known.append(mask_phone(member.phone))
    return f"{member.name}（{' · '.join(known)}）"


def grids_for(user, levels=None):
    qs = Grid.objects.select_related("parent").defer("geometry", "parent__geometry")
    if not user.sees_whole_street:
        qs = qs.filter(pk__in=visible_grids(user).values("pk"))
    if levels:
        qs = qs.filter(level__in=levels)
    return qs.order_by("path", "code")


def organisations_for(user, *, active=True):
    qs = services.scope_organisations(Organisation.objects.all(), user)
    if active:
        qs = qs.filter(ended_on__isnull=True)
    return qs.order_by("level", "name", "id")


def service_data(form) -> dict:
    """cleaned_data as the service wants it: blanks as None (dates, choices), text as typed."""
    return {
        key: (None if value == "" and not isinstance(form.fields[key], forms.CharField) else value)
        for key, value in form.cleaned_data.items()
    }


class OrganisationForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("全称"), max_length=120)
    short_name = forms.CharField(label=gettext_lazy("简称"), max_length=60)
    level = forms.ChoiceField(label=gettext_lazy("层级"), choices=OrgLevel.choices)
    parent = OrgChoice(
        label=gettext_lazy("上级党组织"), queryset=Organisation.objects.none(), required=False
    )
    sector = forms.ChoiceField(label=gettext_lazy("领域"), choices=Sector.choices)
    grid = GridChoice(
        label=gettext_lazy("覆盖网格"),
        queryset=Grid.objects.none(),
        required=False,
        help_text=gettext_lazy("每个微网格只设一个党支部或党小组。"),
    )
    secretary = forms.ModelChoiceField(
        label=gettext_lazy("书记（组长）"),
        queryset=Member.objects.none(),
        required=False,
        help_text=gettext_lazy("本组织或上级组织的在册党员；微网格党组织负责人兼任网格长。"),
    )
    started_on = forms.DateField(label=gettext_lazy("成立日期"), **DATE)
    ended_on = forms.DateField(label=gettext_lazy("撤销日期"), required=False, **DATE)
    note = forms.CharField(label=gettext_lazy("备注"), max_length=200, required=False)

    def __init__(self, user, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = organisations_for(user)
        if organisation is not None:
            orgs = orgs.exclude(pk=organisation.pk)
        self.fields["parent"].queryset = orgs
        self.fields["grid"].queryset = grids_for(user, COVERED_LEVELS)
        if organisation is None:
            del self.fields["secretary"]  # a head is chosen once the members are registered
        else:
            self.fields["secretary"].queryset = (
                Member.objects.filter(
                    organisation_id__in=[organisation.pk, organisation.parent_id], is_active=True
                )
                .select_related("organisation")
                .order_by("name", "id")
            )
            self.fields["secretary"].label_from_instance = member_label

    @staticmethod
    def initial_for(org) -> dict:
        return {
            "name": org.name,
            "short_name": org.short_name,
            "level": org.level,
            "parent": org.parent_id,
            "sector": org.sector,
            "grid": org.grid_id,
            "secretary": org.secretary_id,
            "started_on": org.started_on,
            "ended_on": org.ended_on,
            "note": org.note,
        }


class MemberForm(forms.Form):
    organisation = OrgChoice(
        label=gettext_lazy("组织关系所在党组织"), queryset=Organisation.objects.none()
    )
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=50)
    phone = forms.CharField(label=gettext_lazy("手机号"), max_length=32, required=False)
    work_status = forms.ChoiceField(label=gettext_lazy("在职状态"), choices=WorkStatus.choices)
    work_unit = forms.CharField(label=gettext_lazy("工作单位"), max_length=100, required=False)
    dual_report_community = GridChoice(
        label=gettext_lazy("双报到居村"), queryset=Grid.objects.none(), required=False
    )
    dual_report_on = forms.DateField(label=gettext_lazy("双报到日期"), required=False, **DATE)
    is_active = forms.BooleanField(label=gettext_lazy("在册"), required=False, initial=True)

    def __init__(self, user, *args, member=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dual_report_community"].queryset = Grid.objects.filter(
            level=GridLevel.COMMUNITY
        ).order_by("path", "code")
        if member is None:
            self.fields["organisation"].queryset = organisations_for(user)
            del self.fields["is_active"]
        else:
            del self.fields["organisation"]
            # Never the full number in a form: a new one replaces it, a blank keeps it.
            self.fields["phone"].help_text = gettext_lazy("现为 %(phone)s；留空则不变。") % {
                "phone": mask_phone(member.phone) or "—"
            }

    @staticmethod
    def initial_for(member) -> dict:
        return {
            "name": member.name,
            "work_status": member.work_status,
            "work_unit": member.work_unit,
            "dual_report_community": member.dual_report_community_id,
            "dual_report_on": member.dual_report_on,
            "is_active": member.is_active,
        }


class AssignmentForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("岗位类别"), choices=AssignmentKind.choices)
    grid = GridChoice(
        label=gettext_lazy("网格或居村"), queryset=Grid.objects.none(), required=False
    )
    detail = forms.CharField(label=gettext_lazy("说明"), max_length=100, required=False)
    started_on = forms.DateField(label=gettext_lazy("起始日期"), **DATE)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = grids_for(user, [GridLevel.COMMUNITY, GridLevel.MICRO_GRID])


class RatingForm(forms.Form):
    organisation = OrgChoice(label=gettext_lazy("党组织"), queryset=Organisation.objects.none())
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    stars = forms.TypedChoiceField(
        label=gettext_lazy("星级"), coerce=int, choices=[(n, "★" * n) for n in range(5, 0, -1)]
    )
    awarded_by = forms.CharField(label=gettext_lazy("评定机关"), max_length=100)
    score = forms.DecimalField(
        label=gettext_lazy("得分"), max_digits=5, decimal_places=1, required=False
    )
    criteria = forms.CharField(
        label=gettext_lazy("评定标准"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    awarded_on = forms.DateField(label=gettext_lazy("评定日期"), **DATE)

    def __init__(self, user, *args, rating=None, **kwargs):
        super().__init__(*args, **kwargs)
        if rating is None:
            self.fields["organisation"].queryset = organisations_for(user)
        else:
            del self.fields["organisation"]  # another organisation is another rating

    @staticmethod
    def initial_for(rating) -> dict:
        return {
            "year": rating.year,
            "stars": rating.stars,
            "awarded_by": rating.awarded_by,
            "score": rating.score,
            "criteria": rating.criteria,
            "awarded_on": rating.awarded_on,
        }


class EndAssignmentForm(forms.Form):
    ended_on = forms.DateField(label=gettext_lazy("结束日期"), **DATE)
    reason = forms.CharField(
        label=gettext_lazy("结束原因"),
        max_length=200,
        help_text=gettext_lazy("如：任期届满、工作调动、组织关系转出。"),
    )


class LifeForm(forms.Form):
    organisation = OrgChoice(label=gettext_lazy("党组织"), queryset=Organisation.objects.none())
    kind = forms.ChoiceField(label=gettext_lazy("类别"), choices=LifeKind.choices)
    held_on = forms.DateField(label=gettext_lazy("日期"), **DATE)
    topic = forms.CharField(label=gettext_lazy("主题"), max_length=120)
    expected = forms.IntegerField(label=gettext_lazy("应到人数"), min_value=1, max_value=10000)
    attended = forms.IntegerField(label=gettext_lazy("实到人数"), min_value=0, max_value=10000)
    venue = forms.ChoiceField(label=gettext_lazy("会场"), choices=Venue.choices)
    main_session = forms.ModelChoiceField(
        label=gettext_lazy("主会场"),
        queryset=LifeMeeting.objects.none(),
        required=False,
        help_text=gettext_lazy("视频分会场须选择同日召开的主会场。"),
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = organisations_for(user)
        self.fields["organisation"].queryset = orgs
        # A remote venue joins a main session held the same day: the choice is that day's main
        # sessions (a year of every branch's meetings was thousands of options, half a megabyte
        # of page). Choosing another date reloads them (htmx: party:life_sessions).
        self.fields["main_session"].queryset = main_sessions_on(self.day())
        self.fields["held_on"].widget.attrs.update(
            {
                "hx-get": reverse("party:life_sessions"),
                "hx-trigger": "change",
                "hx-target": f"#{self['main_session'].auto_id}",
            }
        )

    def day(self):
        """The date the form is for: the one typed, as its own field reads it (None if that
        is no date), else the initial one."""
        if not self.is_bound:
            return self.initial.get("held_on")
        try:
            return self.fields["held_on"].clean(self.data.get("held_on"))
        except forms.ValidationError:
            return None


def main_sessions_on(day):
    """The main sessions held on `day` (none when there is no day)."""
    if day is None:
        return LifeMeeting.objects.none()
    return (
        LifeMeeting.objects.filter(venue=Venue.MAIN, held_on=day)
        .select_related("organisation")
        .order_by("organisation__name", "id")
    )


class ServicePointForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    tier = forms.ChoiceField(label=gettext_lazy("层级"), choices=PointTier.choices)
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=PointKind.choices)
    organisation = OrgChoice(
        label=gettext_lazy("所属党组织"), queryset=Organisation.objects.none(), required=False
    )
    grid = GridChoice(label=gettext_lazy("所在网格"), queryset=Grid.objects.none(), required=False)
    address = forms.CharField(label=gettext_lazy("地址"), max_length=200)
    hours = forms.CharField(label=gettext_lazy("开放时间"), max_length=100)
    services = forms.CharField(
        label=gettext_lazy("服务项目"),
        max_length=1000,
        required=False,
        help_text=gettext_lazy("多项用顿号分隔，如：党员学习、便民服务、志愿服务。"),
    )
    lng = forms.FloatField(label=gettext_lazy("经度"))
    lat = forms.FloatField(label=gettext_lazy("纬度"))
    is_active = forms.BooleanField(label=gettext_lazy("开放"), required=False, initial=True)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations_for(user)
        self.fields["grid"].queryset = grids_for(user, COVERED_LEVELS)

    @staticmethod
    def initial_for(point) -> dict:
        return {
            "name": point.name,
            "tier": point.tier,
            "kind": point.kind,
            "organisation": point.organisation_id,
            "grid": point.grid_id,
            "address": point.address,
            "hours": point.hours,
            "services": "、".join(point.services or []),
            "lng": point.lng,
            "lat": point.lat,
            "is_active": point.is_active,
        }


class CoBuildingForm(forms.Form):
    organisation = OrgChoice(label=gettext_lazy("牵头党组织"), queryset=Organisation.objects.none())
    title = forms.CharField(label=gettext_lazy("协议名称"), max_length=120)
    # Checked by the service (请填写共建单位), which also splits the names.
    partners = forms.CharField(
        label=gettext_lazy("共建单位"),
        max_length=4000,
        required=False,
        help_text=gettext_lazy("多个单位用顿号分隔。"),
    )
    signed_on = forms.DateField(label=gettext_lazy("签约日期"), **DATE)
    working_group = forms.CharField(
        label=gettext_lazy("专项推进组"), max_length=100, required=False
    )
    projects = forms.CharField(
        label=gettext_lazy("共建项目"),
        max_length=4000,
        required=False,
        help_text=gettext_lazy("多个项目用顿号分隔。"),
    )

    def __init__(self, user, *args, agreement=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agreement is None:
            self.fields["organisation"].queryset = organisations_for(user)
        else:
            del self.fields["organisation"]  # another lead is another agreement

    @staticmethod
    def initial_for(agreement) -> dict:
        return {
            "title": agreement.title,
            "partners": "、".join(agreement.partners or []),
            "signed_on": agreement.signed_on,
            "working_group": agreement.working_group,
            "projects": "、".join(agreement.projects or []),
        }
