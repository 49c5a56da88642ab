"""manage.py train_dispatch: train the dispatch model on the street's closed cases (their final
category after any correction), store it with its metrics and activate it (--keep-active keeps
the current one)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from civicgrid.dispatch import services
from civicgrid.dispatch.choices import Trigger


class Command(BaseCommand):
    help = "Train the smart-dispatch model on the street's closed cases."

    def add_arguments(self, parser):
        parser.add_argument("--keep-active", action="store_true", help="do not activate it")

    def handle(self, *args, **options):
        try:
            row = services.do_train(
                None, trigger=Trigger.COMMAND, activate=not options["keep_active"]
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(
            f"model {row.pk}: {row.sample_count} cases, {len(row.labels)} categories, "
            f"accuracy {row.accuracy:.4f}, top-2 {row.top2_accuracy:.4f}, "
            f"{row.training_seconds:.1f} s{' (active)' if row.is_active else ''}"
        )
