"""role_required: visitors to the login page, wrong roles a 403 page naming who may enter."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from civicgrid.accounts.access import role_required
from civicgrid.accounts.choices import Role
from civicgrid.testing.factories import UserFactory
from civicgrid.web.forms import add_service_errors

pytestmark = pytest.mark.django_db


@role_required(Role.OPERATOR, Role.ADMIN)
def _operators_only(request):
    return HttpResponse("ok")


def _request(user):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/somewhere/?x=1")
    request.user = user or AnonymousUser()
    return request


def test_visitors_are_sent_to_the_login_page():
    response = _operators_only(_request(None))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/somewhere/")


def test_the_right_role_gets_in_and_a_superuser_counts_as_admin():
    assert _operators_only(_request(UserFactory(role=Role.OPERATOR))).status_code == 200
    keeper = UserFactory(role=Role.RESIDENT, is_superuser=True)
    assert _operators_only(_request(keeper)).status_code == 200


def test_other_roles_get_a_clear_refusal():
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied) as refused:
        _operators_only(_request(UserFactory(role=Role.RESIDENT)))
    assert "受理/派遣员" in str(refused.value)


def test_the_403_page_shows_the_reason(client, settings):
    from django.urls import path

    from civicgrid import urls as root

    settings.ROOT_URLCONF = __name__
    global urlpatterns, handler403
    urlpatterns = [*root.urlpatterns, path("only-operators/", _operators_only)]
    handler403 = root.handler403
    client.force_login(UserFactory(role=Role.GRID_WORKER))
    response = client.get("/only-operators/")
    assert response.status_code == 403
    assert "此页面仅供" in response.content.decode()


def test_service_errors_land_next_to_their_field():
    from django import forms
    from django.core.exceptions import ValidationError

    class F(forms.Form):
        note = forms.CharField(required=False)

    form = F(data={"note": "typed"})
    form.is_valid()
    add_service_errors(
        form, ValidationError({"reason": "请填写原因", "other": "别的问题"}), {"reason": "note"}
    )
    assert form.errors["note"] == ["请填写原因"]
    assert form.non_field_errors() == ["别的问题"]
    assert form["note"].value() == "typed"
