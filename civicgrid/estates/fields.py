"""The form field every page uses to choose a 小区."""

from django import forms


class EstateChoiceField(forms.ModelChoiceField):
    """A 小区 chosen among a 居村's or the whole street's, each named with its 居村 (Estate.
    choice_label: a name may stand in several 居村, and the choice was a guess), the 居村 read in
    the list's one query."""

    def label_from_instance(self, estate):
        return estate.choice_label

    def _set_queryset(self, queryset):
        super()._set_queryset(None if queryset is None else queryset.select_related("community"))

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)
