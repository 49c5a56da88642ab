"""Grid, staffing and import/export serializers. Writes go through grids.services."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from civicgrid.core.masking import mask_phone
from civicgrid.grids import services
from civicgrid.grids.choices import AreaKind, CommunityKind, Duty
from civicgrid.grids.geojson_io import Tolerance
from civicgrid.grids.models import Grid, GridPost, StaffMember


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


def as_drf_error(exc: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(exc, "error_dict"):
        return serializers.ValidationError(exc.message_dict)
    return serializers.ValidationError({"detail": exc.messages})


class GridSerializer(serializers.ModelSerializer):
    """A grid node without its polygon (lists stay small)."""

    level_display = serializers.CharField(source="get_level_display", read_only=True)
    level_label = serializers.CharField(
        read_only=True,
        help_text=_("随类型的层级名称：镇管社区/派出所片区、居委会/村委会、楼组/队组"),
    )
    staff_label = serializers.CharField(
        read_only=True, help_text=_("所在居村工作人员的称呼：居委工作人员或村委工作人员")
    )
    parent_code = serializers.SerializerMethodField()
    display_name = serializers.CharField(
        read_only=True,
        help_text=_(
            "单独出现时的名称：微网格带居村（如“康桥半岛居委 · 第1网格”），楼组带居村和微网格"
        ),
    )
    community_households = serializers.IntegerField(
        source="micro_grid_households",
        read_only=True,
        help_text=_("居村：其微网格户数合计；其他层级：本网格户数"),
    )
    over_household_limit = serializers.BooleanField(
        read_only=True, help_text=_("超过3000户的居委（应调整范围）")
    )
    # Blank on the levels they do not apply to (only a 片区 has an area kind; a street none).
    area_kind = serializers.ChoiceField(choices=AreaKind.choices, allow_blank=True, read_only=True)
    community_kind = serializers.ChoiceField(
        choices=CommunityKind.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Grid
        fields = [
            "id",
            "code",
            "name",
            "display_name",
            "level",
            "level_display",
            "level_label",
            "area_kind",
            "community_kind",
            "staff_label",
            "parent_code",
            "number",
            "county_code",
            "area_m2",
            "centroid_lon",
            "centroid_lat",
            "household_count",
            "community_households",
            "over_household_limit",
            "party_organisation",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_parent_code(self, grid):
        # The path holds the parent's code: no join, no extra query.
        return grid.path.strip("/").split("/")[-2] if grid.parent_id else None


class SplitCommunitySerializer(serializers.Serializer):
    """拆分居委: the micro-grids (by code) that leave for the new 居委, its name and number."""

    micro_grids = serializers.ListField(
        child=serializers.RegexField(r"^\d{15}$", max_length=15),
        min_length=1,
        max_length=500,
        help_text=_("划入新居委的微网格编码（15位）"),
    )
    name = serializers.CharField(max_length=100, help_text=_("新居委名称"))
    number = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=999,
        help_text=_("新居委编号；缺省取本街镇下一个空闲编号"),
    )
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class GridDetailSerializer(GridSerializer):
    geometry = serializers.JSONField(read_only=True, help_text=_("GeoJSON Polygon/MultiPolygon"))

    class Meta(GridSerializer.Meta):
        fields = [*GridSerializer.Meta.fields, "path", "geometry", "updated_at"]
        read_only_fields = fields


class ProblemSerializer(serializers.Serializer):
    index = serializers.IntegerField(
        allow_null=True, help_text=_("要素在 features 中的序号（从 0 起）")
    )
    code = serializers.CharField(allow_blank=True)
    name = serializers.CharField(allow_blank=True)
    severity = serializers.ChoiceField(choices=["error", "warning"])
    message = serializers.CharField()


class ImportReportSerializer(serializers.Serializer):
    saved = serializers.BooleanField()
    dry_run = serializers.BooleanField()
    fatal = serializers.BooleanField()
    feature_count = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    deleted = serializers.IntegerField()
    numbered = serializers.IntegerField()
    problems = ProblemSerializer(many=True)


class GridImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("GeoJSON FeatureCollection 文件（UTF-8）"))
    dry_run = serializers.BooleanField(default=False, help_text=_("只校验，不保存"))
    replace = serializers.BooleanField(default=False, help_text=_("替换已存在的网格树"))
    tolerance_m = serializers.FloatField(default=Tolerance.distance_m, min_value=0)
    tolerance_ratio = serializers.FloatField(default=Tolerance.area_ratio, min_value=0, max_value=1)


class StaffingRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    leader = serializers.IntegerField()
    full_time = serializers.IntegerField()
    part_time = serializers.IntegerField()
    pioneer = serializers.IntegerField()
    label = serializers.CharField(help_text=_("“1+2+N”：网格长+网格员（专职+兼职）+先锋骨干"))
    complete = serializers.BooleanField()


class StaffingTotalsSerializer(serializers.Serializer):
    leader = serializers.IntegerField()
    full_time = serializers.IntegerField()
    part_time = serializers.IntegerField()
    pioneer = serializers.IntegerField()
    label = serializers.CharField()
    people = serializers.IntegerField()


class StaffingSummarySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    micro_grid_count = serializers.IntegerField()
    complete_count = serializers.IntegerField()
    totals = StaffingTotalsSerializer()
    micro_grids = StaffingRowSerializer(many=True)


class GridPostSerializer(serializers.ModelSerializer):
    micro_grid = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Grid.objects.all(),
        required=False,
        help_text=_("微网格编码；楼组长、村民小组长可省略（取其楼组所在微网格）"),
    )
    micro_grid_name = serializers.CharField(source="micro_grid.name", read_only=True)
    building_group = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Grid.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("楼组（队组）编码，仅楼组长、村民小组长填写"),
    )
    staff_name = serializers.CharField(source="staff.name", read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    active = serializers.SerializerMethodField()

    class Meta:
        model = GridPost
        fields = [
            "id",
            "micro_grid",
            "micro_grid_name",
            "building_group",
            "staff",
            "staff_name",
            "role",
            "role_display",
            "start_date",
            "end_date",
            "active",
        ]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_active(self, post):
        today = timezone.localdate()
        return post.start_date <= today and (post.end_date is None or post.end_date >= today)

    def create(self, validated_data):
        validated_data.setdefault("micro_grid", None)
        try:
            return services.appoint(**validated_data)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc

    def update(self, instance, validated_data):
        try:
            return services.update_post(instance, **validated_data)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc


class StaffPostSerializer(serializers.ModelSerializer):
    """A post as shown inside its staff member."""

    micro_grid = serializers.CharField(source="micro_grid.code", read_only=True)
    micro_grid_name = serializers.CharField(source="micro_grid.name", read_only=True)
    building_group = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = GridPost
        fields = [
            "id",
            "micro_grid",
            "micro_grid_name",
            "building_group",
            "role",
            "role_display",
            "start_date",
            "end_date",
        ]
        read_only_fields = fields


class EndPostSerializer(serializers.Serializer):
    end_date = serializers.DateField()


class StaffPhoneSerializer(serializers.Serializer):
    phone = serializers.CharField(help_text=_("完整联系电话（本次查看已留痕）"))


class StaffMemberSerializer(serializers.ModelSerializer):
    duties = serializers.MultipleChoiceField(
        choices=Duty.choices, required=False, help_text=_("六员职责，可多选")
    )
    duties_display = serializers.SerializerMethodField()
    origin_display = serializers.CharField(source="get_origin_display", read_only=True)
    active_posts = serializers.SerializerMethodField()

    class Meta:
        model = StaffMember
        fields = [
            "id",
            "name",
            "phone",
            "is_party_member",
            "origin",
            "origin_display",
            "work_unit",
            "registered_on",
            "duties",
            "duties_display",
            "user",
            "active_posts",
        ]

    def to_representation(self, staff):
        data = super().to_representation(staff)
        data["duties"] = [d for d in Duty.values if d in set(staff.duties or [])]
        # Masked for every role: the full number is one logged request away (reveal-phone).
        data["phone"] = mask_phone(staff.phone)
        return data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_duties_display(self, staff):
        labels = dict(Duty.choices)
        return [str(labels[d]) for d in Duty.values if d in set(staff.duties or [])]

    @extend_schema_field(StaffPostSerializer(many=True))
    def get_active_posts(self, staff):
        # `active_post_list` is prefetched by the view (one query for the whole page).
        posts = getattr(staff, "active_post_list", None)
        if posts is None:
            posts = staff.posts.filter(
                services.active_posts_q(timezone.localdate())
            ).select_related("micro_grid", "building_group")
        return StaffPostSerializer(posts, many=True).data

    def _save(self, staff, validated_data):
        for key, value in validated_data.items():
            setattr(staff, key, sorted(value) if key == "duties" else value)
        try:
            return services.save_staff_member(staff)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc

    def create(self, validated_data):
        return self._save(StaffMember(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)
