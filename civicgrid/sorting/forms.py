"""Forms of the garbage-sorting pages: they read input; the services decide and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from civicgrid.core.forms import DateInput, MultiplePhotoField
from civicgrid.estates.fields import EstateChoiceField
from civicgrid.sorting.choices import WasteCategory
from civicgrid.sorting.photos import MAX_PHOTOS
from civicgrid.sorting.services import MAX_POINTS_PER_ENTRY, MAX_REWARD_QUANTITY


class CheckOutForm(forms.Form):
    households_guided = forms.IntegerField(
        label=_("指导户次"),
        min_value=0,
        max_value=10_000,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    wrong_drops = forms.IntegerField(
        label=_("纠正错投次数"),
        min_value=0,
        max_value=10_000,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    note = forms.CharField(
        label=_("值守情况"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class InspectionForm(forms.Form):
    """One number per item of the score sheet (built from the template), a note, photos."""

    note = forms.CharField(
        label=_("检查意见"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photos = MultiplePhotoField(label=_("现场照片"), max_count=MAX_PHOTOS)

    def __init__(self, template, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(template.items.all())
        for item in self.items:
            self.fields[f"item_{item.pk}"] = forms.IntegerField(
                label=f"{item.name}（0–{item.max_points}）",
                min_value=0,
                max_value=item.max_points,
                initial=item.max_points,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "score"}),
            )
        self.order_fields([f"item_{i.pk}" for i in self.items] + ["note", "photos"])

    def item_fields(self):
        return [self[f"item_{i.pk}"] for i in self.items]

    def scores(self) -> dict:
        return {i.pk: self.cleaned_data[f"item_{i.pk}"] for i in self.items}


class WeighingForm(forms.Form):
    estate = EstateChoiceField(label=_("小区"), queryset=None)
    day = forms.DateField(label=_("日期"), widget=DateInput())
    category = forms.ChoiceField(label=_("类别"), choices=WasteCategory.choices)
    kg = forms.DecimalField(label=_("重量（公斤）"), max_digits=12, decimal_places=2)
    hauler = forms.CharField(label=_("清运单位"), max_length=100)
    refused_mixed = forms.BooleanField(label=_("混装拒收"), required=False)

    def __init__(self, estates, *args, **kwargs):
        # Its own field ids: the page also holds the list's filter, whose fields have the same names.
        kwargs.setdefault("auto_id", "weighing_%s")
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = estates


class WindowsForm(forms.Form):
    windows = forms.CharField(
        label=_("投放时段"),
        max_length=200,
        help_text=_("每行一个时段，如 07:00-09:00"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def pairs(self):
        out = []
        for line in self.cleaned_data["windows"].replace("–", "-").replace("—", "-").splitlines():
            line = line.strip()
            if not line:
                continue
            start, _sep, end = line.partition("-")
            out.append((start.strip(), end.strip()))
        return out


class ConventionForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=100)
    text = forms.CharField(
        label=_("公约内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    adopted_on = forms.DateField(label=_("通过日期"), widget=DateInput())
    adopted_at = forms.CharField(label=_("通过会议"), max_length=200, required=False)


class PledgeForm(forms.Form):
    household = forms.ModelChoiceField(label=_("户"), queryset=None)
    signed_on = forms.DateField(label=_("签订日期"), widget=DateInput())

    def __init__(self, households, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = households


class AwardForm(forms.Form):
    """积分 for a verified correct drop-off (正确投放)."""

    amount = forms.IntegerField(
        label=_("积分"),
        min_value=1,
        max_value=MAX_POINTS_PER_ENTRY,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=200)


class RedeemForm(forms.Form):
    """A quantity for each item of the goods list (0: not taken)."""

    def __init__(self, rewards, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rewards = list(rewards)
        for reward in self.rewards:
            self.fields[f"reward_{reward.pk}"] = forms.IntegerField(
                label=_("%(name)s（%(n)d 分）") % {"name": reward.name, "n": reward.points},
                min_value=0,
                max_value=MAX_REWARD_QUANTITY,
                initial=0,
                required=False,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "quantity"}),
            )

    def items(self) -> list:
        return [
            (reward, self.cleaned_data.get(f"reward_{reward.pk}") or 0) for reward in self.rewards
        ]
