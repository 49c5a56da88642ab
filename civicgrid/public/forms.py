"""Forms of the residents' pages. They check the shape of what was typed; the case services
decide (their ValidationError lands next to the field through web.forms.add_service_errors)."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

from civicgrid.cases.choices import CategoryFamily, Rating
from civicgrid.cases.models import Category
from civicgrid.cases.services import MAX_DESCRIPTION, MAX_NOTE, PHONE_RE
from civicgrid.web.forms import CheckedPhotoField, CheckedPhotosField, PhoneFormMixin

# The families in the order residents look for them: their community's everyday problems first.
FAMILY_ORDER = [CategoryFamily.COMMUNITY, CategoryFamily.EVENT, CategoryFamily.COMPONENT]
# Shown as one-tap buttons above the list (names of seeded community categories).
QUICK_PICKS = ["楼道堆物", "飞线充电", "垃圾分类", "噪音扰民", "高空抛物", "消防隐患"]


def category_choices():
    """Active second-level categories grouped under their class, community problems first; one
    query. Values are ids (codes repeat across families)."""
    leaves = (
        Category.objects.filter(is_active=True, parent__isnull=False)
        .select_related("parent")
        .only("id", "name", "code", "family", "parent__name", "parent__code")
    )
    rank = {family: i for i, family in enumerate(FAMILY_ORDER)}
    groups: dict[tuple, list] = {}
    for category in sorted(leaves, key=lambda c: (rank.get(c.family, 9), c.code)):
        key = (rank.get(category.family, 9), category.family, category.parent.code)
        groups.setdefault(key, [category.parent.name, []])[1].append(
            (str(category.pk), category.name)
        )
    return [("", _("请选择问题类别")), *[(label, items) for label, items in groups.values()]]


class ReportForm(PhoneFormMixin, forms.Form):
    category = forms.ChoiceField(label=_("问题类别"))
    description = forms.CharField(
        label=_("问题描述"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": _("例如：3号楼2楼楼道堆放纸箱和旧家具，影响通行")}
        ),
    )
    lon = forms.CharField(label=_("位置"), required=False, widget=forms.HiddenInput)
    lat = forms.CharField(label=_("位置"), required=False, widget=forms.HiddenInput)
    address = forms.CharField(
        label=_("地址（可选）"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("例如：秀沿路1501弄12号楼下")}),
    )
    photo = CheckedPhotoField(
        label=_("照片（可选）"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG、PNG 或 WebP；位置等信息会从照片中去除"),
    )
    is_anonymous = forms.BooleanField(label=_("匿名反映（不留姓名）"), required=False)
    reporter_name = forms.CharField(label=_("姓名"), required=False, max_length=50)
    reporter_phone = forms.CharField(
        label=_("联系电话"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("用于反馈处理结果和凭编号查询进度，对外显示时打码"),
    )
    reporter_email = forms.CharField(
        label=_("电子邮箱（可选）"),
        required=False,
        max_length=254,
        widget=forms.TextInput(attrs={"type": "email", "autocomplete": "email"}),
        help_text=_("填写后会收到立案、处置、结案的通知和评价链接"),
    )

    # Service field names → form field names (add_service_errors).
    SERVICE_FIELDS = {"lat": "lon", "photos": "photo", "file": "photo", "kind": "photo"}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        choices = category_choices()
        self.fields["category"].choices = choices
        community = choices[1][1] if len(choices) > 1 else []
        names = {name: value for value, name in community}
        self.quick_picks = [(names[n], n) for n in QUICK_PICKS if n in names]
        self.fields["category"].error_messages["required"] = _("请选择问题类别")
        self.fields["description"].error_messages["required"] = _("请填写问题描述")
        if user is None:
            # A visitor has no account to be reached by: the phone is how the result comes back
            # and how the case is followed (number + phone).
            self.fields["reporter_phone"].help_text = _(
                "必填：用于反馈处理结果和凭编号查询进度，对外显示时打码"
            )

    # Checked here as the intake service checks them, so that every mistake comes back at once
    # (the service stops at the first); the service still decides.
    def clean_reporter_phone(self):
        phone = (self.cleaned_data.get("reporter_phone") or "").strip()
        if phone and not PHONE_RE.match(phone):
            raise ValidationError(_("联系电话格式不正确，请填写手机号或带区号的固定电话"))
        return phone

    def clean_reporter_email(self):
        email = (self.cleaned_data.get("reporter_email") or "").strip()
        if email:
            try:
                EmailValidator()(email)
            except ValidationError:
                raise ValidationError(_("电子邮箱格式不正确，例如 name@example.com")) from None
        return email

    def clean(self):
        cleaned = super().clean()
        phone = (cleaned.get("reporter_phone") or "").strip()
        # Anonymous without a phone: the intake service refuses with its own message (shown
        # next to the field); a named visitor without a phone is refused here.
        if self.user is None and not phone and not cleaned.get("is_anonymous"):
            self.add_error("reporter_phone", _("请留下联系电话，以便反馈处理结果并凭编号查询进度"))
        return cleaned

    def service_fields(self) -> dict:
        """The keyword arguments of cases.services.do_report."""
        data = self.cleaned_data
        return {
            "category": data["category"],
            "description": data["description"],
            "lon": data.get("lon") or None,
            "lat": data.get("lat") or None,
            "address": data.get("address", ""),
            "reporter_name": "" if data.get("is_anonymous") else data.get("reporter_name", ""),
            "reporter_phone": data.get("reporter_phone", ""),
            "reporter_email": data.get("reporter_email", ""),
            "is_anonymous": bool(data.get("is_anonymous")),
        }


class TrackForm(PhoneFormMixin, forms.Form):
    number = forms.CharField(
        label=_("案件编号"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "2026112300017"}),
    )
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
        help_text=_("上报时留下的电话"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["number"].error_messages["required"] = _("请填写案件编号")
        self.fields["phone"].error_messages["required"] = _("请填写联系电话")


class RateForm(PhoneFormMixin, forms.Form):
    rating = forms.ChoiceField(
        label=_("您对处理结果的评价"), choices=Rating.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("意见（可选）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].error_messages["required"] = _("请选择满意、基本满意或不满意")


SCORE_CHOICES = [
    ("5", _("5 非常好")),
    ("4", _("4 较好")),
    ("3", _("3 一般")),
    ("2", _("2 较差")),
    ("1", _("1 很差")),
]


class SurveyForm(PhoneFormMixin, forms.Form):
    """One answer to one survey: a five-point choice per item (fields `item_<id>`), a comment,
    and for a visitor the mobile phone; the 居村 when the survey is street-wide and the account
    does not name one. survey.services.do_answer decides."""

    comment = forms.CharField(
        label=_("意见建议（可选）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, survey, user=None, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.survey, self.user = survey, user
        self.item_fields = []
        for item in survey.items.all():
            name = f"item_{item.pk}"
            self.fields[name] = forms.ChoiceField(
                label=item.name,
                choices=SCORE_CHOICES,
                widget=forms.RadioSelect,
                error_messages={"required": _("请为“%s”打分") % item.name},
            )
            self.item_fields.append((item.pk, name))
        if survey.community_id is None and (user is None or user.community_id is None):
            self.fields["community"] = forms.ChoiceField(
                label=_("所在居村"),
                choices=[("", _("请选择所在居村"))] + [(str(c.pk), c.name) for c in communities],
                error_messages={"required": _("请选择所在居村")},
            )
            self.communities = {str(c.pk): c for c in communities}
        if user is None:
            self.fields["phone"] = forms.CharField(
                label=_("手机号"),
                max_length=32,
                widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
                help_text=_("每个手机号每次测评限填一次，对外不显示"),
                error_messages={"required": _("请填写11位手机号")},
            )

    def score_fields(self):
        """The bound five-point fields, in the survey's order (for the template)."""
        return [self[name] for _pk, name in self.item_fields]

    def service_fields(self) -> dict:
        """The keyword arguments of survey.services.do_answer (besides survey and user)."""
        data = self.cleaned_data
        community = None
        if "community" in self.fields:
            community = self.communities.get(data["community"])
        elif self.user is not None:
            community = self.user.community
        return {
            "scores": {pk: int(data[name]) for pk, name in self.item_fields},
            "comment": data.get("comment", ""),
            "phone": data.get("phone", ""),
            "community": community,
        }


class AddInfoForm(PhoneFormMixin, forms.Form):
    """补充信息: a note and/or photos the reporter adds to their open report
    (cases.services.do_add_info)."""

    note = forms.CharField(
        label=_("补充说明"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("例如：堆放物今天又多了，已影响消防通道")}
        ),
    )
    photos = CheckedPhotosField(
        label=_("补充照片（可选）"),
        help_text=_("可选多张，JPEG、PNG 或 WebP"),
    )

    SERVICE_FIELDS = {"photos": "photos", "file": "photos"}

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("note") and not cleaned.get("photos"):
            self.add_error("note", _("请填写补充说明或选择照片"))
        return cleaned


class WithdrawForm(PhoneFormMixin, forms.Form):
    """撤销: the reporter takes back their report before it is filed; the reason is optional."""

    reason = forms.CharField(
        label=_("撤销原因（可选）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("例如：问题已自行解决")}),
    )
