"""The read-only attachment admin: thumbnails, scoping, no edits, deletion by admins only."""

from civicgrid.attachments import services
from civicgrid.attachments.models import Attachment
from civicgrid.testing.images import jpeg_with_gps, upload

CHANGELIST = "/admin/attachments/attachment/"


def _staff(user):
    user.is_staff = True
    user.save()
    return user


def test_changelist_shows_thumbnails_in_scope(client, case, users, django_assert_max_num_queries):
    for _ in range(3):
        services.store_attachment(case, users["resident"], upload(jpeg_with_gps()), "before")
    attachment = Attachment.objects.first()
    client.force_login(users["operator"])
    with django_assert_max_num_queries(15):
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'src="/api/attachments/{attachment.pk}/file"' in html
    assert html.count("<img") >= 3
    # Another micro-grid's worker sees none of them.
    client.force_login(_staff(users["worker2"]))
    response = client.get(CHANGELIST)
    assert f"/api/attachments/{attachment.pk}/file" not in response.content.decode()


def test_detail_is_read_only_and_only_admins_delete(client, case, users):
    attachment = services.store_attachment(
        case, users["resident"], upload(jpeg_with_gps()), "before"
    )
    url = f"{CHANGELIST}{attachment.pk}/change/"
    client.force_login(users["operator"])
    response = client.get(url)
    assert response.status_code == 200 and 'name="kind"' not in response.content.decode()
    assert client.post(url, {"kind": "after"}).status_code == 403
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert client.post(f"{CHANGELIST}{attachment.pk}/delete/", {"post": "yes"}).status_code == 403
    client.force_login(users["admin"])
    response = client.post(f"{CHANGELIST}{attachment.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
