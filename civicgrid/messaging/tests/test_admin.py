"""The outbox in the back office: read-only, for the system's keeper only; recipients masked."""

from django.test import Client

from civicgrid.cases import services
from civicgrid.messaging.models import Delivery, OutboxMessage
from civicgrid.testing.cases import report


def test_the_keeper_reads_the_outbox_and_nobody_changes_it(users, garbage, clock):
    services.do_file(report(users["resident"], garbage), users["operator"])
    message = OutboxMessage.objects.get(kind="file")
    delivery = Delivery.objects.get(message=message)
    keeper = Client()
    keeper.force_login(users["admin"])
    listed = keeper.get("/admin/messaging/outboxmessage/?deliveries__status__exact=pending")
    assert listed.status_code == 200
    html = listed.content.decode()
    assert message.case_number in html
    assert "139****5678" in html and "13912345678" not in html
    page = keeper.get(f"/admin/messaging/outboxmessage/{message.pk}/change/")
    assert page.status_code == 200 and "memory" in page.content.decode()
    assert keeper.get("/admin/messaging/delivery/?status__exact=pending").status_code == 200
    assert keeper.get("/admin/messaging/outboxmessage/add/").status_code == 403
    assert keeper.post(f"/admin/messaging/delivery/{delivery.pk}/delete/").status_code == 403
    assert keeper.get("/admin/messaging/outboxmessage/?recipient__phone=1").status_code in (
        302,
        400,
    )
    operator = Client()
    operator.force_login(users["operator"])
    assert operator.get("/admin/messaging/outboxmessage/").status_code == 403
