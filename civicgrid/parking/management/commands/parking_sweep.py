"""manage.py parking_sweep: mark the bookings whose car did not come (未到) and the cars still
parked after their end and the grace (超时占用; the holder and the 物业 are told). Run it every
few minutes next to the deadline scan."""

from django.core.management.base import BaseCommand

from civicgrid.parking.services import sweep


class Command(BaseCommand):
    help = "Mark no-shows and overstays of shared parking."

    def handle(self, *args, **options):
        done = sweep()
        self.stdout.write(f"no-shows: {done['no_show']}, overstays: {done['overstay']}")
