"""Filters of the attachment list (`?case=2026112200017&kind=after`)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from civicgrid.attachments.choices import AttachmentKind
from civicgrid.attachments.models import Attachment
from civicgrid.core.forms import FilterForm


class AttachmentFilter(django_filters.FilterSet):
    case = django_filters.CharFilter(label=_("案件编号"), field_name="case__number")
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=AttachmentKind.choices)
    event = django_filters.NumberFilter(label=_("流转记录"), field_name="event_id")

    class Meta:
        form = FilterForm
        model = Attachment
        fields = []
