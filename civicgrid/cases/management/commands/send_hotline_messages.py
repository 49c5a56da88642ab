"""Send the 12345 hotline's due messages (退单, 办结 replies) once: for a task backend that
cannot defer a retry, run it from cron (the database worker retries by itself)."""

from django.core.management.base import BaseCommand

from civicgrid.cases import hotline


class Command(BaseCommand):
    help = "Send the due messages to the 12345 hotline (退单, 办结回复) once"

    def handle(self, *args, **options):
        counts = hotline.deliver_due()
        self.stdout.write(f"acknowledged {counts['acknowledged']}, failed {counts['failed']}")
