from django.core.management.base import BaseCommand

from civicgrid.estates.services import assign_addresses


class Command(BaseCommand):
    help = "Match every standard address to its estate (小区) by the estates' address ranges."

    def handle(self, *args, **options):
        changed = assign_addresses()
        self.stdout.write(f"{changed} addresses assigned to an estate")
