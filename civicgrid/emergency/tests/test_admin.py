"""The back office's log of full phone views (联系人电话查看记录): read-only, for the roles that
may see a full phone, never the phone itself."""

import pytest

from civicgrid.emergency import services
from civicgrid.emergency.models import ContactPhoneView

pytestmark = pytest.mark.django_db

LOG = "/admin/emergency/contactphoneview/"


def test_the_phone_view_log_is_read_only_and_for_the_commanding_roles(flood, users, client_for):
    point = flood["points"][0]
    contact = services.do_add_contact(
        None, point, name="赵经理", title="物业经理", phone="13912345678"
    )
    services.reveal_contact_phone(users["chief"], contact)
    entry = ContactPhoneView.objects.get()
    chief = client_for(users["chief"])
    listing = chief.get(LOG)
    assert listing.status_code == 200 and listing.context["cl"].result_count == 1
    text = listing.content.decode()
    assert "赵经理" in text and "秀沿小区" in text and "13912345678" not in text
    # Nobody adds, changes or deletes a row of the log.
    assert chief.get(LOG + "add/").status_code == 403
    assert chief.get(f"{LOG}{entry.pk}/delete/").status_code == 403
    page = chief.get(f"{LOG}{entry.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert chief.post(f"{LOG}{entry.pk}/change/", {"contact_name": "别人"}).status_code == 403
    entry.refresh_from_db()
    assert entry.contact_name == "赵经理"
    # The 居委's staff have a back office and see the register, not who saw whose phone.
    assert client_for(users["staff"]).get(LOG).status_code == 403
