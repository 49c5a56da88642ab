"""Forms of the web front: service errors shown next to the field the user typed in."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def add_service_errors(form: forms.Form, exc: ValidationError, field_map: dict | None = None):
    """Put a service's ValidationError onto the form: each message next to its field when the
    form has that field (services name fields as the API does; `field_map` renames them, e.g.
    {"reason": "note"}), otherwise at the top of the form. The form keeps what was typed."""
    field_map = field_map or {}
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            target = field_map.get(name, name)
            for message in errors:
                form.add_error(target if target in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


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
