from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "civicgrid.projects"
    label = "projects"
    verbose_name = _("社区项目")

    def ready(self):
        # A 三会 meeting (a project's hearing) may name a project as its subject: meetings sits
        # below this app, so the kind is registered from here.
        from civicgrid.meetings import subjects
        from civicgrid.projects.services import subject_search

        subjects.register("project", _("社区项目"), subject_search)
