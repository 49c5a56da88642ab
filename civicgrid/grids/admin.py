"""Admin for the grid tree and its "1+2+N" staffing.

Access follows the user's role, like the registry admin: staff roles look (rows scoped by
grids.scoping), the system administrator changes the tree, administrators and 城运中心
operators change the rolls. Every change goes through grids.services; the forms call the same
checks first so that a problem shows as a form error, never as a crash or a half-write.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.accounts.admin_base import RoleGatedAdmin, RoleGatedMixin
from civicgrid.accounts.adminsite import may_use_admin
from civicgrid.accounts.policy import (
    BACK_OFFICE_ROLES,
    GRID_TREE_EDIT_ROLES,
    STAFFING_EDIT_ROLES,
)
from civicgrid.core.masking import mask_phone
from civicgrid.core.pages import add_service_errors
from civicgrid.grids import services
from civicgrid.grids.choices import Duty, GridLevel, StaffOrigin
from civicgrid.grids.geojson_export import dumps, export_feature_collection
from civicgrid.grids.geojson_io import Tolerance, import_feature_collection
from civicgrid.grids.models import Grid, GridPost, StaffMember
from civicgrid.grids.scoping import scope_by_micro_grid, visible_grids, visible_micro_grids

# Who looks at the tree and the rolls here: the back office. Leaders and grid staff see their
# grids in the web front.
READ_ROLES = BACK_OFFICE_ROLES


# ------------------------------------------------------------------------------------- grids


class GeometryField(forms.CharField):
    """GeoJSON text in a textarea; the polygon is checked by services.validate_geometry."""

    widget = forms.Textarea(attrs={"rows": 8, "cols": 80, "style": "font-family: monospace"})

    def prepare_value(self, value):
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            data = json.loads(value)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("GeoJSON 格式错误：第 %(line)d 行第 %(col)d 列，%(msg)s")
                % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg}
            ) from exc
        if isinstance(data, dict) and data.get("type") == "Feature":
            data = data.get("geometry")
        try:
            return services.validate_geometry(data)
        except DjangoValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc


class GridAdminForm(forms.ModelForm):
    geometry = GeometryField(
        label=gettext_lazy("边界（GeoJSON）"),
        required=False,
        help_text=gettext_lazy(
            "GeoJSON Polygon 或 MultiPolygon,WGS84 经纬度；保存时检查多边形是否有效"
        ),
    )

    class Meta:
        model = Grid
        fields = [
            "name",
            "level",
            "parent",
            "number",
            "county_code",
            "area_kind",
            "community_kind",
            "household_count",
            "party_organisation",
            "geometry",
        ]

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            services.check_grid(self.instance)
        except DjangoValidationError as exc:
            add_service_errors(self, exc)


class GridImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("GeoJSON 文件"))
    dry_run = forms.BooleanField(label=gettext_lazy("只校验，不保存"), required=False)
    replace = forms.BooleanField(
        label=gettext_lazy("替换已存在的网格树"),
        required=False,
        help_text=gettext_lazy(
            "更新同编码网格、新建新编码网格、删除文件中已不存在的下级网格；仍被地址、岗位等引用的网格不会删除，而是报错"
        ),
    )
    tolerance_m = forms.FloatField(
        label=gettext_lazy("允许偏差（米）"), initial=Tolerance.distance_m, min_value=0
    )
    tolerance_ratio = forms.FloatField(
        label=gettext_lazy("允许偏差面积占比"),
        initial=Tolerance.area_ratio,
        min_value=0,
        max_value=1,
        help_text=gettext_lazy("0.005 即 0.5%"),
    )


class SplitCommunityForm(forms.Form):
    """拆分居委: which micro-grids leave for the new 居委, its name, optionally its number."""

    micro_grids = forms.ModelMultipleChoiceField(
        label=gettext_lazy("划入新居委的微网格"),
        queryset=Grid.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    name = forms.CharField(label=gettext_lazy("新居委名称"), max_length=100)
    number = forms.IntegerField(
        label=gettext_lazy("新居委编号"),
        required=False,
        min_value=1,
        help_text=gettext_lazy("留空则取本街镇下一个空闲编号"),
    )
    reason = forms.CharField(label=gettext_lazy("变更原因"), max_length=200, required=False)

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["micro_grids"].queryset = Grid.objects.filter(
            parent=community, level=GridLevel.MICRO_GRID
        ).order_by("number")
        self.fields["micro_grids"].label_from_instance = lambda m: (
            f"{m.code} {m.name}({m.household_count}户)"
        )


class OverHouseholdLimitFilter(admin.SimpleListFilter):
    """超过3000户的居委: the committees due for a split (seed 002)."""

    title = gettext_lazy("超过3000户的居委")
    parameter_name = "over_household_limit"

    def lookups(self, request, model_admin):
        return [("yes", gettext_lazy("是"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return services.over_household_limit(queryset)
        return queryset


@admin.register(Grid)
class GridAdmin(RoleGatedAdmin):
    view_roles = READ_ROLES
    change_roles = GRID_TREE_EDIT_ROLES
    form = GridAdminForm
    list_display = [
        "code",
        "name",
        "level_name",
        "parent",
        "area_m2",
        "household_count",
        "community_households",
        "party_organisation",
        "staffing",
    ]
    list_select_related = ["parent"]
    list_filter = ["level", "area_kind", "community_kind", OverHouseholdLimitFilter]
    search_fields = ["^code", "name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["code", "path", "area_m2", "centroid_lon", "centroid_lat", "updated_at"]
    ordering = ["path"]
    actions = ["export_geojson", "renumber", "split"]
    change_list_template = "grids/admin/grid_change_list.html"
    change_form_template = "grids/admin/grid_change_form.html"
    list_per_page = 100

    def get_queryset(self, request):
        qs = visible_grids(request.user) if may_use_admin(request.user) else Grid.objects.none()
        match = request.resolver_match
        if match and match.url_name and match.url_name.endswith("changelist"):
            # The list needs neither polygons nor extra queries per row.
            qs = services.annotate_staffing(qs.defer("geometry", "parent__geometry"))
            qs = services.annotate_households(qs)
        return qs

    @admin.display(description=gettext_lazy("居村户数（微网格合计）"))
    def community_households(self, obj):
        if obj.level != GridLevel.COMMUNITY:
            return "—"
        n = obj.micro_grid_households
        if obj.over_household_limit:
            return format_html('<strong style="color:#b00">{} {}</strong>', n, _("超过3000户"))
        return n

    @admin.display(description=gettext_lazy("层级"), ordering="level")
    def level_name(self, obj):
        return obj.level_label

    @admin.display(description=gettext_lazy("网格力量 1+2+N"))
    def staffing(self, obj):
        if obj.level == GridLevel.MICRO_GRID and hasattr(obj, "staff_leader"):
            counts = (obj.staff_leader, obj.staff_full_time, obj.staff_part_time, obj.staff_pioneer)
            return format_html(
                '<abbr title="{}">{}</abbr>',
                services.staffing_title(*counts),
                services.staffing_label(*counts),
            )
        if obj.level == GridLevel.BUILDING_GROUP:
            return "—"
        url = reverse("admin:grids_grid_staffing", args=[obj.code])
        return format_html('<a href="{}">{}</a>', url, _("查看统计"))

    def save_model(self, request, obj, form, change):
        services.save_grid(obj)

    def delete_model(self, request, obj):
        services.delete_grid(obj)

    def delete_queryset(self, request, queryset):
        for grid in queryset.order_by("-path"):
            self.delete_model(request, grid)

    def has_delete_permission(self, request, obj=None):
        # Only leaves; a subtree is removed by a replacing import, which checks references.
        if obj is not None and Grid.objects.filter(parent=obj).exists():
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description=gettext_lazy("导出所选网格及其下级为 GeoJSON"))
    def export_geojson(self, request, queryset):
        roots = list(queryset.select_related(None).only("id", "path", "code"))
        data = export_feature_collection(roots, queryset=visible_grids(request.user))
        response = HttpResponse(dumps(data), content_type="application/geo+json; charset=utf-8")
        name = roots[0].code if len(roots) == 1 else "grids"
        response["Content-Disposition"] = f'attachment; filename="{name}.geojson"'
        return response

    @admin.action(description=gettext_lazy("按自西向东、自北向南重新编排所选居村的微网格编号"))
    def renumber(self, request, queryset):
        if not self.has_change_permission(request):
            raise PermissionDenied
        done = 0
        for community in queryset:
            try:
                services.renumber_micro_grids(community)
                done += 1
            except DjangoValidationError as exc:
                self.message_user(
                    request, f"{community}: {'; '.join(exc.messages)}", level=messages.ERROR
                )
        if done:
            self.message_user(request, _("已重新编号 %(n)d 个居村") % {"n": done})

    @admin.action(description=gettext_lazy("拆分所选居委（划出微网格新建居委）"))
    def split(self, request, queryset):
        if not self.has_change_permission(request):
            raise PermissionDenied
        chosen = list(queryset[:2])
        if len(chosen) != 1 or chosen[0].level != GridLevel.COMMUNITY:
            self.message_user(request, _("请只选择一个居委进行拆分"), level=messages.ERROR)
            return None
        return redirect("admin:grids_grid_split", code=chosen[0].code)

    def get_urls(self):
        return [
            path(
                "split/<str:code>/",
                self.admin_site.admin_view(self.split_view),
                name="grids_grid_split",
            ),
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="grids_grid_import",
            ),
            path(
                "staffing/<str:code>/",
                self.admin_site.admin_view(self.staffing_view),
                name="grids_grid_staffing",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        report = None
        if request.method == "POST":
            form = GridImportForm(request.POST, request.FILES)
            if form.is_valid():
                data = form.cleaned_data
                report = import_feature_collection(
                    data["file"].read(),
                    replace=data["replace"],
                    dry_run=data["dry_run"],
                    tolerance=Tolerance(data["tolerance_m"], data["tolerance_ratio"]),
                )
                if report.saved:
                    self.message_user(
                        request,
                        _("导入完成：新建 %(c)d，更新 %(u)d，删除 %(d)d")
                        % {"c": report.created, "u": report.updated, "d": report.deleted},
                    )
        else:
            form = GridImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("导入网格 GeoJSON"),
            "form": form,
            "report": report,
        }
        status = 400 if report is not None and report.fatal else 200
        return TemplateResponse(request, "grids/admin/grid_import.html", context, status=status)

    def split_view(self, request, code):
        """拆分居委: the chosen micro-grids move into a new 居委 (grids.services.split_community);
        a refused split is shown on the form and nothing is written."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        community = get_object_or_404(
            visible_grids(request.user), code=code, level=GridLevel.COMMUNITY
        )
        form = SplitCommunityForm(request.POST or None, community=community)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                new = services.split_community(
                    community,
                    list(data["micro_grids"]),
                    name=data["name"],
                    number=data["number"],
                    reason=data["reason"],
                    user=request.user,
                )
            except DjangoValidationError as exc:
                add_service_errors(form, exc)
            else:
                self.message_user(
                    request,
                    _("已拆分：%(old)s 划出 %(n)d 个微网格，新建 %(new)s(%(code)s)")
                    % {
                        "old": community.name,
                        "n": len(data["micro_grids"]),
                        "new": new.name,
                        "code": new.code,
                    },
                )
                if new.reassigned_accounts:
                    self.message_user(
                        request,
                        _("随迁的居委工作人员账号：%(names)s")
                        % {
                            "names": "、".join(
                                u.get_full_name() or u.username for u in new.reassigned_accounts
                            )
                        },
                    )
                return redirect("admin:grids_grid_change", new.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("拆分居委：%(name)s") % {"name": community.name},
            "community": community,
            "form": form,
        }
        status = 400 if form.is_bound and form.errors else 200
        return TemplateResponse(request, "grids/admin/grid_split.html", context, status=status)

    def staffing_view(self, request, code):
        grid = get_object_or_404(visible_grids(request.user), code=code)
        try:
            summary = services.staffing_summary(grid)
        except DjangoValidationError as exc:
            raise PermissionDenied("; ".join(exc.messages)) from exc
        micro = visible_micro_grids(request.user)
        if micro is not None:
            allowed = set(micro.values_list("code", flat=True))
            summary["micro_grids"] = [r for r in summary["micro_grids"] if r["code"] in allowed]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("%(name)s 网格力量“1+2+N”配置") % {"name": grid.name},
            "grid": grid,
            "summary": summary,
        }
        return TemplateResponse(request, "grids/admin/grid_staffing.html", context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The polygon for the small map under the form (drawn with Leaflet, no tiles).
        context["geometry"] = obj.geometry if obj and obj.geometry else None
        return super().render_change_form(request, context, add, change, form_url, obj)


# ------------------------------------------------------------------------------------ staffing


class StaffMemberAdminForm(forms.ModelForm):
    """The stored phone is never put into the input (like the registry's residents): the help
    text shows it masked and a blank input keeps it."""

    phone = forms.CharField(label=gettext_lazy("手机号"), required=False, max_length=32)
    duties = forms.MultipleChoiceField(
        label=gettext_lazy("六员职责"),
        choices=Duty.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = StaffMember
        fields = [
            "name",
            "phone",
            "is_party_member",
            "origin",
            "work_unit",
            "registered_on",
            "duties",
            "user",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["phone"] = ""
        if "origin" in self.fields:
            self.fields["origin"].required = False
        if self.instance.pk:
            current = self.instance.phone
            self.fields["phone"].help_text = (
                _("当前：%(v)s；留空则不修改") % {"v": mask_phone(current)}
                if current
                else _("当前未填写")
            )

    def clean_origin(self):
        # Left out: keep what the person had (包干 for a new one).
        return self.cleaned_data.get("origin") or self.instance.origin or StaffOrigin.COMMUNITY

    def clean_phone(self):
        value = (self.cleaned_data.get("phone") or "").strip()
        if not value and self.instance.pk:
            return self.instance.phone
        return value


class GridPostForm(forms.ModelForm):
    class Meta:
        model = GridPost
        fields = ["micro_grid", "building_group", "staff", "role", "start_date", "end_date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A 楼组长's micro-grid is the one of their building group. (A reader's form — view
        # permission only — has no fields: every one is shown read-only.)
        if "micro_grid" in self.fields:
            self.fields["micro_grid"].required = False

    def clean(self):
        data = super().clean()
        group = data.get("building_group")
        if group is not None and not data.get("micro_grid"):
            data["micro_grid"] = group.parent
        staff = data.get("staff") or getattr(self.instance, "staff", None)
        if self.errors or staff is None:
            return data
        try:
            services.check_post(
                staff,
                data.get("micro_grid"),
                data.get("role"),
                data.get("start_date"),
                data.get("end_date"),
                exclude_pk=self.instance.pk,
                building_group=group,
            )
        except DjangoValidationError as exc:
            add_service_errors(self, exc)
        return data


class InlinePostForm(GridPostForm):
    class Meta(GridPostForm.Meta):
        fields = ["micro_grid", "building_group", "role", "start_date", "end_date"]

    def clean(self):
        # The staff member is the parent object of the inline.
        # (on the add page it is not saved yet: an unsaved member still gets the leader check).
        staff = self.instance.staff if self.instance.staff_id else StaffMember()
        self.cleaned_data.setdefault("staff", staff)
        return super().clean()


class GridPostInline(RoleGatedMixin, admin.TabularInline):
    view_roles = READ_ROLES
    change_roles = STAFFING_EDIT_ROLES
    model = GridPost
    form = InlinePostForm
    extra = 1
    autocomplete_fields = ["micro_grid", "building_group"]
    ordering = ["-start_date"]

    def get_queryset(self, request):
        return scope_by_micro_grid(
            super().get_queryset(request).select_related("micro_grid"), request.user
        )


@admin.register(StaffMember)
class StaffMemberAdmin(RoleGatedAdmin):
    view_roles = READ_ROLES
    change_roles = STAFFING_EDIT_ROLES
    form = StaffMemberAdminForm
    inlines = [GridPostInline]
    list_display = [
        "name",
        "masked_phone",
        "is_party_member",
        "origin",
        "duty_labels",
        "active_post_count",
    ]
    list_filter = ["is_party_member", "origin"]
    # Never the phone: a partial search would tell a number digit by digit.
    search_fields = ["name"]
    raw_id_fields = ["user"]

    def get_queryset(self, request):
        qs = (
            super()
            .get_queryset(request)
            .annotate(
                active_posts=Count(
                    "posts", filter=services.active_posts_q(timezone.localdate(), "posts__")
                )
            )
        )
        micro = visible_micro_grids(request.user)
        if micro is not None:
            ids = GridPost.objects.filter(micro_grid__in=micro.values("pk")).values("staff_id")
            qs = qs.filter(Q(pk__in=ids) | Q(user=request.user))
        return qs

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if not self.has_change_permission(request, obj):
            # A view-only page renders every field as text: the phone is shown masked.
            fields = ["masked_phone" if f == "phone" else f for f in fields]
        return fields

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if "masked_phone" not in readonly:
            readonly.append("masked_phone")
        return readonly

    @admin.display(description=gettext_lazy("手机号"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone) if obj else ""

    @admin.display(description=gettext_lazy("六员职责"))
    def duty_labels(self, obj):
        labels = dict(Duty.choices)
        return "、".join(str(labels[d]) for d in Duty.values if d in set(obj.duties or []))

    @admin.display(description=gettext_lazy("在岗数"), ordering="active_posts")
    def active_post_count(self, obj):
        return obj.active_posts

    def save_model(self, request, obj, form, change):
        services.save_staff_member(obj)

    def save_formset(self, request, form, formset, change):
        # Inline posts go through the staffing services too.
        posts = formset.save(commit=False)
        for deleted in formset.deleted_objects:
            services.remove_post(deleted)
        for post in posts:
            if post.pk:
                services.update_post(post)
            else:
                services.appoint(
                    form.instance,
                    post.micro_grid,
                    post.role,
                    post.start_date,
                    post.end_date,
                    building_group=post.building_group,
                )

    def delete_model(self, request, obj):
        obj.delete()


@admin.register(GridPost)
class GridPostAdmin(RoleGatedAdmin):
    view_roles = READ_ROLES
    change_roles = STAFFING_EDIT_ROLES
    scope = scope_by_micro_grid
    form = GridPostForm
    list_display = [
        "micro_grid",
        "building_group",
        "staff",
        "role",
        "start_date",
        "end_date",
        "is_active",
    ]
    list_select_related = ["micro_grid", "building_group", "staff"]
    list_filter = ["role", "end_date"]
    search_fields = ["staff__name", "^micro_grid__code", "micro_grid__name"]
    autocomplete_fields = ["micro_grid", "building_group", "staff"]
    date_hierarchy = "start_date"

    @admin.display(description=gettext_lazy("当前在岗"), boolean=True)
    def is_active(self, obj):
        today = timezone.localdate()
        return obj.start_date <= today and (obj.end_date is None or obj.end_date >= today)

    def save_model(self, request, obj, form, change):
        if change:
            services.update_post(obj)
        else:
            obj.pk = None
            created = services.appoint(
                obj.staff,
                obj.micro_grid,
                obj.role,
                obj.start_date,
                obj.end_date,
                building_group=obj.building_group,
            )
            obj.pk = created.pk

    def delete_model(self, request, obj):
        services.remove_post(obj)
