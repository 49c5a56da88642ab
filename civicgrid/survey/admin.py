"""Back office: surveys with their items and the answers, read-only (answers are never changed;
a survey is made through survey.services.do_create_survey, e.g. by the demo). Answers are
scoped to the 居村 the user sees; phones are never shown."""

from django.contrib import admin

from civicgrid.accounts.admin_base import RoleGatedAdmin, RoleGatedMixin
from civicgrid.grids.scoping import visible_grids
from civicgrid.survey.models import Survey, SurveyAnswer, SurveyItem


class SurveyItemInline(RoleGatedMixin, admin.TabularInline):
    model = SurveyItem
    fields = ("name", "order")
    extra = 0


@admin.register(Survey)
class SurveyAdmin(RoleGatedAdmin):
    list_display = ("title", "community", "start_date", "end_date", "is_active")
    list_filter = ("is_active",)
    inlines = [SurveyItemInline]
    delete_roles = frozenset()


def _scope_answers(queryset, user):
    return queryset.filter(community__in=visible_grids(user).values("pk"))


@admin.register(SurveyAnswer)
class SurveyAnswerAdmin(RoleGatedAdmin):
    list_display = ("survey", "community", "answered_at")
    list_filter = ("answered_at",)
    fields = ("survey", "community", "comment", "answered_at")
    scope = _scope_answers
    delete_roles = frozenset()
