from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartyConfig(AppConfig):
    name = "civicgrid.party"
    label = "party"
    verbose_name = _("党组织")

    def ready(self):
        # "'1'即由微网格党组织负责人兼任网格长": grids (below us) asks us about every 网格长 post.
        from civicgrid.grids.services import register_post_check
        from civicgrid.party.services import check_leader_post

        register_post_check(check_leader_post)
