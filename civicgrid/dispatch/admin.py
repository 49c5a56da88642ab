"""Back office of smart dispatch: the models (compare, activate one, train a new one), the
权责清单 and the auto-dispatch rules (changed through dispatch.services), the suggestions and
the history (read-only)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.admin_base import RoleGatedAdmin
from civicgrid.accounts.policy import DISPATCH_ROLES, DISPATCH_SETUP_ROLES
from civicgrid.dispatch import services
from civicgrid.dispatch.models import (
    AutoDispatchRule,
    DispatchLog,
    Responsibility,
    Suggestion,
    TrainedModel,
)

VIEW = DISPATCH_ROLES | DISPATCH_SETUP_ROLES


@admin.register(TrainedModel)
class TrainedModelAdmin(RoleGatedAdmin):
    view_roles = VIEW
    change_roles = frozenset()
    delete_roles = frozenset()
    list_display = (
        "id",
        "created_at",
        "is_active",
        "accuracy_pct",
        "top2_pct",
        "sample_count",
        "data_from",
        "data_to",
        "training_seconds",
        "trigger",
    )
    list_filter = ("is_active", "trigger")
    exclude = ("blob",)
    actions = ["activate", "compare", "train_now"]

    @admin.display(description=_("准确率"), ordering="accuracy")
    def accuracy_pct(self, obj):
        return f"{obj.accuracy:.1%}"

    @admin.display(description=_("前二准确率"), ordering="top2_accuracy")
    def top2_pct(self, obj):
        return f"{obj.top2_accuracy:.1%}"

    def get_queryset(self, request):
        return super().get_queryset(request).defer("blob")

    @admin.action(description=_("启用所选模型（仅选一个）"))
    def activate(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, gettext("请只选择一个模型启用。"), messages.ERROR)
            return
        try:
            row = services.do_activate(request.user, queryset.get())
        except PermissionDenied:
            self.message_user(request, gettext("您的角色不能启用模型。"), messages.ERROR)
            return
        self.message_user(request, gettext("已启用模型 #%(id)s。") % {"id": row.pk})

    @admin.action(description=_("对比所选模型"))
    def compare(self, request, queryset):
        rows = list(queryset.order_by("-created_at")[:6])
        labels = sorted({label for row in rows for label in row.labels})
        names = {}
        for row in rows:
            names.update(row.labels)
        table = [
            {
                "label": names.get(label, label),
                "cells": [
                    row.metrics.get("per_class", {}).get(label, {"precision": None, "recall": None})
                    for row in rows
                ],
            }
            for label in labels
        ]
        return TemplateResponse(
            request,
            "admin/dispatch/compare.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("派单模型对比"),
                "rows": rows,
                "table": table,
                "opts": self.model._meta,
            },
        )

    @admin.action(description=_("用已结案件训练新模型（后台任务）"))
    def train_now(self, request, queryset):
        if request.user.effective_role not in DISPATCH_SETUP_ROLES:
            self.message_user(request, gettext("您的角色不能训练模型。"), messages.ERROR)
            return
        from civicgrid.dispatch.tasks import train_task

        train_task.enqueue(request.user.pk)
        self.message_user(request, gettext("已提交训练任务，完成后新模型自动启用。"))


@admin.register(Responsibility)
class ResponsibilityAdmin(RoleGatedAdmin):
    view_roles = VIEW
    change_roles = DISPATCH_SETUP_ROLES
    list_display = ("category", "area", "department")
    list_filter = ("area", "department")
    autocomplete_fields = ()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.do_set_responsibility(
            request.user,
            category=data["category"],
            department=data["department"],
            area=data.get("area"),
        )
        obj.pk = saved.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        services.do_remove_responsibility(request.user, obj)

    def delete_queryset(self, request, queryset):
        for row in queryset:
            services.do_remove_responsibility(request.user, row)


@admin.register(AutoDispatchRule)
class AutoDispatchRuleAdmin(RoleGatedAdmin):
    view_roles = VIEW
    change_roles = DISPATCH_SETUP_ROLES
    delete_roles = frozenset()
    list_display = ("category", "enabled", "threshold")
    list_filter = ("enabled",)

    def get_changeform_initial_data(self, request):
        return {"threshold": services.default_threshold()}

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.do_set_rule(
            request.user,
            category=data["category"],
            enabled=data["enabled"],
            threshold=data["threshold"],
        )
        obj.pk = saved.pk
        obj._state.adding = False


@admin.register(Suggestion)
class SuggestionAdmin(RoleGatedAdmin):
    view_roles = VIEW
    list_display = ("case", "category", "confidence", "department", "outcome", "is_correct")
    list_filter = ("outcome", "is_correct")


@admin.register(DispatchLog)
class DispatchLogAdmin(RoleGatedAdmin):
    view_roles = VIEW
    list_display = ("at", "action", "user", "case")
    list_filter = ("action",)
