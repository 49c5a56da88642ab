"""The 督办 forms of the case page: the 带班领导's instruction with a deadline, the handler's
answer. They only collect input; duty.services checks it and writes."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.duty.services import MAX_TEXT


class SuperviseForm(forms.Form):
    instruction = forms.CharField(
        label=_("督办意见"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    deadline = forms.DateTimeField(
        label=_("办理时限"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "deadline": timezone.localtime().replace(second=0, microsecond=0)
                + datetime.timedelta(days=1)
            },
        )
        kwargs.setdefault("auto_id", "id_supervise_%s")
        super().__init__(*args, **kwargs)


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("答复"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
