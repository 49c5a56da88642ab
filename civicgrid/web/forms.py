"""Forms of the web front: service errors shown next to the field the user typed in."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from civicgrid.attachments.services import clean_upload
from civicgrid.cases.services import MAX_PHOTOS

# The fronts take it from here; it lives in core for the programme apps' pages below web.
from civicgrid.core.forms import PHOTO_ATTRS, MultiplePhotoField
from civicgrid.core.pages import add_service_errors as add_service_errors

# Fields a person picks from rather than types into: "请选择…" rather than "请填写…".
_CHOICE_FIELDS = (forms.ChoiceField, forms.ModelChoiceField, forms.FileField, forms.BooleanField)


class PhoneFormMixin:
    """What every phone form does (fieldwork, residents' pages): a required field left empty
    says what is missing ("请填写问题描述", not Django's generic "这个字段是必填项"), and a line
    break typed on a phone counts once towards a limit, as the page's counter shows it
    (browsers send it as CR LF). Goes before forms.Form among the bases; a message the form
    sets itself stays."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        generic = str(forms.Field.default_error_messages["required"])
        for field in self.fields.values():
            if not field.required or str(field.error_messages.get("required")) != generic:
                continue
            label = field.label or ""
            if isinstance(field, _CHOICE_FIELDS):
                field.error_messages["required"] = _("请选择%(label)s") % {"label": label}
            else:
                field.error_messages["required"] = _("请填写%(label)s") % {"label": label}
        if self.is_bound and self.data:
            data = self.data.copy()
            for name, field in self.fields.items():
                key = self.add_prefix(name)
                if not isinstance(field.widget, forms.Textarea) or key not in data:
                    continue
                if hasattr(data, "setlist"):
                    data.setlist(key, [v.replace("\r\n", "\n") for v in data.getlist(key)])
                elif isinstance(data[key], str):
                    data[key] = data[key].replace("\r\n", "\n")
            self.data = data


def checked_photo(upload):
    """The photo checked as the store will check it (type, size, pixels), so that a refused
    photo is reported with the other fields' errors in the same answer, not on the next submit
    (the step's service checks it again when it stores it)."""
    try:
        clean_upload(upload)
    except ValidationError as exc:
        raise ValidationError(" ".join(exc.messages)) from None
    return upload


def checked_photos(photos, limit: int | None = None) -> list:
    """Several photos checked at once: every refused one named in the same answer."""
    photos = list(photos or [])
    limit = limit or MAX_PHOTOS
    if len(photos) > limit:
        raise ValidationError(_("最多上传%(n)s张照片") % {"n": limit})
    errors = []
    for photo in photos:
        try:
            checked_photo(photo)
        except ValidationError as exc:
            errors.append(
                _("照片“%(name)s”:%(message)s")
                % {"name": getattr(photo, "name", "") or "?", "message": " ".join(exc.messages)}
            )
    if errors:
        raise ValidationError(errors)
    return photos


class LoginForm(forms.Form):
    """Username and password; messages in the user's language, nothing about which one was wrong."""

    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("密码"), strip=False, widget=forms.PasswordInput)

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        from django.contrib.auth import authenticate

        from civicgrid.accounts.throttle import is_locked_out, lockout_message

        cleaned = super().clean()
        username, password = cleaned.get("username"), cleaned.get("password")
        if username and password:
            self.user = authenticate(self.request, username=username, password=password)
            if self.user is None and is_locked_out(self.request):
                # Too many failures for this account or address (django-axes): say so plainly;
                # the right password is refused too until the lock ends.
                raise ValidationError(lockout_message(self.request), code="locked_out")
            if self.user is None:
                raise ValidationError(_("用户名或密码不正确"), code="invalid_login")
            if not self.user.is_active:
                raise ValidationError(_("该账号已停用"), code="inactive")
        return cleaned


class CheckedPhotoField(forms.FileField):
    """One optional photo (the camera's on a phone), checked as the store will check it, so a
    refused photo is named with the other fields' errors."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.FileInput(attrs=PHOTO_ATTRS))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        photo = super().clean(data, initial)
        return checked_photo(photo) if photo else photo


class CheckedPhotosField(MultiplePhotoField):
    """Several photos, each checked as the store will check it, at most the case's limit."""

    def clean(self, data, initial=None):
        return checked_photos(super().clean(data, initial))
