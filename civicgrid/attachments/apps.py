from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttachmentsConfig(AppConfig):
    name = "civicgrid.attachments"
    label = "attachments"
    verbose_name = _("案件附件")

    def ready(self):
        # The steps of the loop store their photos through this app, and the programmes' own
        # photos (垃圾分类 and fire-safety inspections, projects, campaigns) are cleaned by it:
        # cases.services.photos sits below attachments and does not import it.
        from civicgrid.attachments.services import clean_upload, store_step_photos
        from civicgrid.cases.services import photos

        photos.register_store(store_step_photos)
        photos.register_cleaner(clean_upload)
