from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FiresafetyConfig(AppConfig):
    name = "civicgrid.firesafety"
    label = "firesafety"
    verbose_name = _("出租屋消防三色码")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from civicgrid.accounts.models import Department
        from civicgrid.cases.models import Category
        from civicgrid.firesafety.services import forget_fire_office

        # The fire office is the default department of a category: any category change drops it.
        post_save.connect(forget_fire_office, sender=Category, dispatch_uid="firesafety-office")
        post_delete.connect(forget_fire_office, sender=Category, dispatch_uid="firesafety-office-d")
        # Deleting a department empties its categories' default department by SQL (SET_NULL).
        post_delete.connect(forget_fire_office, sender=Department, dispatch_uid="firesafety-dept")
