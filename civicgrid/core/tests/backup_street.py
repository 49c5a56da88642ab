"""Builds a small street in the database named by DATABASE_URL (run in a subprocess by
test_backup.py, on a copy of the test database): migrate (nothing to apply there), the demo
street's smallest shape with a few demo cases, and photos — cases reported with 处置前 photos
through the services, one thumbnail made — so that the media storage holds real files that rows
name."""

import io
import os

import django


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
    django.setup()
    from django.core.management import call_command

    from civicgrid.attachments.models import Attachment
    from civicgrid.attachments.services import thumbnail
    from civicgrid.cases.models import Case, Category
    from civicgrid.cases.services import do_report
    from civicgrid.testing.images import jpeg_bytes, png_bytes, upload

    call_command("migrate", verbosity=0, interactive=False)
    call_command(
        "load_demo_street",
        streets=1,
        communities=1,
        areas=1,
        micro_grids_per_street=2,
        households_per_building_group=1,
        cases=2,
        stdout=io.StringIO(),
    )
    category = Category.objects.filter(parent__isnull=False).order_by("code").first()
    located = Case.objects.exclude(lon=None).order_by("pk").first()
    for i in range(3):
        do_report(
            user=None,
            category=category,
            description=f"楼道堆物第{i + 1}处，请处理。",
            source="resident",
            lon=located.lon,
            lat=located.lat,
            address="康桥路1号",
            photos=[
                upload(jpeg_bytes((64 + i, 48), (40 * i, 90, 30)), f"楼道{i}.jpg"),
                upload(png_bytes((30, 20 + i)), "second.png", "image/png"),
            ],
        )
    thumbnail(Attachment.objects.order_by("pk").first())


if __name__ == "__main__":
    main()
