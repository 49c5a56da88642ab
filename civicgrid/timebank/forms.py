"""The 居委's forms of the time bank: register a volunteer (a registry resident or someone from
outside) and declare a relative. A registry resident is found by name within the user's 居村,
narrowed by ID number or phone when names repeat; every other check is the services'."""

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.core.forms import DateInput
from civicgrid.core.masking import mask_phone
from civicgrid.registry.models import Resident
from civicgrid.timebank.models import Team, Volunteer
from civicgrid.timebank.scoping import scope_rows, visible_communities


def find_resident(user, name: str, key: str, field: str):
    """The registry resident called `name` in the user's 居村 (ID number or phone `key` when
    several share the name); a ValidationError on `field` when none or several match."""
    residents = Resident.objects.filter(name=name.strip())
    communities = visible_communities(user)
    if communities is not None:
        residents = residents.filter(
            household__address__micro_grid__parent__in=communities.values("pk")
        )
    key = (key or "").strip()
    if key:
        residents = residents.filter(Q(id_number=key.upper()) | Q(phone=key))
    found = list(residents[:2])
    if not found:
        raise ValidationError({field: _("您的居村里没有这位居民（请核对姓名、证件号码或手机号）")})
    if len(found) > 1:
        raise ValidationError({field: _("有同名居民，请填写证件号码或手机号")})
    return found[0]


class VolunteerForm(forms.Form):
    OUTSIDE, RESIDENT = "outside", "resident"
    who = forms.ChoiceField(
        label=gettext_lazy("志愿者来源"),
        choices=[(RESIDENT, gettext_lazy("本社区居民")), (OUTSIDE, gettext_lazy("外来人员"))],
        widget=forms.RadioSelect,
        initial=RESIDENT,
    )
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=50)
    key = forms.CharField(
        label=gettext_lazy("证件号码或手机号"),
        max_length=32,
        required=False,
        help_text=gettext_lazy("本社区居民：有同名时填写，用于查找居民；外来人员：填写手机号。"),
    )
    community = forms.ModelChoiceField(label=gettext_lazy("居村"), queryset=None)
    team = forms.ModelChoiceField(
        label=gettext_lazy("队伍"), queryset=Team.objects.none(), required=False
    )
    skills = forms.CharField(
        label=gettext_lazy("技能"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("多项用空格或顿号分隔，如：理发、小修"),
    )
    double_report = forms.BooleanField(label=gettext_lazy("双报到"), required=False)
    unit = forms.CharField(label=gettext_lazy("报到单位"), max_length=100, required=False)
    joined_on = forms.DateField(label=gettext_lazy("注册日期"), widget=DateInput())
    name_consent = forms.BooleanField(
        label=gettext_lazy("同意在光荣榜/社区报上公开姓名"),
        required=False,
        help_text=gettext_lazy("本人明确同意后勾选；不勾选则光荣榜和社区报不出现其姓名。"),
    )
    login = forms.CharField(
        label=gettext_lazy("居民账号（选填）"),
        max_length=150,
        required=False,
        help_text=gettext_lazy("核实身份后关联，志愿者可用手机记录服务、查看时间币。"),
    )

    def __init__(self, user, *args, **kwargs):
        # Its own field ids: the page also holds the list's filter (双报到) and the relative's
        # form (姓名, 证件号码).
        kwargs.setdefault("auto_id", "volunteer_%s")
        super().__init__(*args, **kwargs)
        from civicgrid.grids.choices import GridLevel
        from civicgrid.grids.models import Grid

        self.user = user
        communities = visible_communities(user)
        if communities is None:
            communities = Grid.objects.filter(level=GridLevel.COMMUNITY)
        self.fields["community"].queryset = communities.order_by("code")
        self.fields["team"].queryset = scope_rows(Team.objects.all(), user).order_by("name")
        self.fields["joined_on"].initial = datetime.date.today

    def clean_login(self):
        username = (self.cleaned_data.get("login") or "").strip()
        if not username:
            return None
        account = get_user_model().objects.filter(username=username).first()
        if account is None:
            raise ValidationError(_("账号不存在"))
        return account

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        who = data.pop("who")
        key = data.pop("key")
        raw = data.pop("skills") or ""
        data["skills"] = [s for s in raw.replace("、", " ").replace("，", " ").split() if s]
        if who == self.RESIDENT:
            data["resident"] = find_resident(self.user, data["name"], key, "name")
        else:
            data["phone"] = key
        return data


def volunteer_label(volunteer) -> str:
    """A volunteer among a street's thousand, where one name is often several people's: the
    name, the 居村 and the masked phone ("何子涵（康桥半岛居委 · 138****5678）")."""
    known = [volunteer.community.name if volunteer.community_id else ""]
    if volunteer.phone:
        known.append(mask_phone(volunteer.phone))
    else:  # a resident volunteer, whose phone is in the registry: the volunteer's number
        known.append(str(_("编号%(n)s")) % {"n": volunteer.pk})
    return f"{volunteer.name}（{' · '.join(k for k in known if k)}）"


class RelativeForm(forms.Form):
    volunteer = forms.ModelChoiceField(
        label=gettext_lazy("志愿者（时间账户持有人）"), queryset=None
    )
    name = forms.CharField(label=gettext_lazy("亲属姓名"), max_length=50)
    key = forms.CharField(
        label=gettext_lazy("亲属证件号码或手机号"),
        max_length=32,
        required=False,
        help_text=gettext_lazy("有同名居民时填写。"),
    )
    relation = forms.CharField(label=gettext_lazy("关系"), max_length=20)

    def __init__(self, user, *args, **kwargs):
        # Its own field ids: the page also holds the volunteer's registration form, whose fields have the same names.
        kwargs.setdefault("auto_id", "relative_%s")
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["volunteer"].queryset = (
            scope_rows(Volunteer.objects.filter(is_active=True), user)
            .select_related("community")
            .order_by("name", "id")
        )
        self.fields["volunteer"].label_from_instance = volunteer_label
