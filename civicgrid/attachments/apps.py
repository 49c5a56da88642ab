from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttachmentsConfig(AppConfig):
    name = "civicgrid.attachments"
    label = "attachments"
    verbose_name = _("案件附件")

    def ready(self):
        # The steps of the loop store their photos through this app (cases.services.photos:
        # cases sits below attachments and does not import it).
        from civicgrid.attachments.services import store_step_photos
        from civicgrid.cases.services import photos

        photos.register_store(store_step_photos)
        # 垃圾分类 inspections clean their photos the same way (civicgrid.sorting.photos).
        from civicgrid.attachments.services import clean_upload
        from civicgrid.sorting import photos as sorting_photos

        sorting_photos.register_cleaner(clean_upload)
        # So do the rental houses' fire-safety inspections (civicgrid.firesafety.photos).
        from civicgrid.firesafety import photos as firesafety_photos

        firesafety_photos.register_cleaner(clean_upload)
        # And the community projects' before/after photos (civicgrid.projects.photos).
        from civicgrid.projects import photos as projects_photos

        projects_photos.register_cleaner(clean_upload)
        # And the 督查 inspections of the 创建/创评 campaigns (civicgrid.campaigns.photos).
        from civicgrid.campaigns import photos as campaigns_photos

        campaigns_photos.register_cleaner(clean_upload)
