"""Grid REST endpoints: the tree (scoped by grids.scoping), GeoJSON export/import, staffing."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from civicgrid.accounts.access import role_of
from civicgrid.accounts.policy import (
    GRID_NUMBERING_ROLES,
    GRID_TREE_EDIT_ROLES,
    STAFFING_EDIT_ROLES,
    STAFFING_VIEW_ROLES,
)
from civicgrid.core.api import validated_input
from civicgrid.core.inputs import form_date, validate_date_range
from civicgrid.core.openapi import ErrorSerializer, or_validation_error
from civicgrid.core.parsers import FormParser, MultiPartParser
from civicgrid.grids import services
from civicgrid.grids.api.serializers import (
    EndPostSerializer,
    GridDetailSerializer,
    GridImportSerializer,
    GridPostSerializer,
    GridSerializer,
    ImportReportSerializer,
    SplitCommunitySerializer,
    StaffingSummarySerializer,
    StaffMemberSerializer,
    StaffPhoneSerializer,
    as_drf_error,
)
from civicgrid.grids.filters import GridFilter, GridPostFilter, StaffMemberFilter
from civicgrid.grids.geojson_export import export_feature_collection
from civicgrid.grids.geojson_io import Tolerance, import_feature_collection
from civicgrid.grids.models import GridPost, StaffMember
from civicgrid.grids.scoping import scope_by_micro_grid, visible_grids, visible_micro_grids


class IsGridAdmin(permissions.BasePermission):
    message = gettext_lazy("只有系统管理员可以导入网格")

    def has_permission(self, request, view):
        return role_of(request.user) in GRID_TREE_EDIT_ROLES


class MayEditTree(permissions.BasePermission):
    message = gettext_lazy("您的角色不能拆分居委")

    def has_permission(self, request, view):
        return role_of(request.user) in GRID_TREE_EDIT_ROLES


class StaffingPermission(permissions.BasePermission):
    """Staff roles read the rolls; admin and operators change them."""

    message = gettext_lazy("您的角色无权查看或修改网格力量")

    def has_permission(self, request, view):
        role = role_of(request.user)
        if request.method in permissions.SAFE_METHODS:
            return role in STAFFING_VIEW_ROLES
        return role in STAFFING_EDIT_ROLES


class GridWritePermission(permissions.BasePermission):
    """Reading the tree is scoped; changing its numbering is for admin and operators."""

    message = gettext_lazy("您的角色无权修改网格")

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return bool(request.user and request.user.is_authenticated)
        return role_of(request.user) in GRID_NUMBERING_ROLES


ON_PARAMETER = OpenApiParameter(
    "on", OpenApiTypes.DATE, description="统计日期(缺省为今天)", required=False
)


@extend_schema_view(
    list=extend_schema(summary="网格列表(按角色范围过滤,不含边界)"),
    retrieve=extend_schema(summary="网格详情(含 GeoJSON 边界)"),
)
class GridViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_field = "code"
    lookup_value_regex = r"\d{9,18}"
    filterset_class = GridFilter
    permission_classes = [GridWritePermission]

    def get_queryset(self):
        qs = services.annotate_households(visible_grids(self.request.user).order_by("path"))
        # display_name reads the 居村 (and, for a 楼组, its micro-grid).
        qs = qs.select_related("parent__parent")
        if self.action == "list":
            return qs.defer("geometry", "parent__geometry", "parent__parent__geometry")
        return qs

    def get_object(self):
        # A code changed by a split (GridCodeHistory) still finds its grid.
        code = self.kwargs[self.lookup_field]
        grid = services.grid_by_code(code, queryset=self.get_queryset())
        if grid is None:
            raise NotFound(_("编码 %(code)s 的网格不存在或不在您的范围内") % {"code": code})
        self.check_object_permissions(self.request, grid)
        return grid

    def get_serializer_class(self):
        return GridDetailSerializer if self.action == "retrieve" else GridSerializer

    @extend_schema(
        summary="导出 GeoJSON(整个网格树或某网格之下)",
        parameters=[OpenApiParameter("root", OpenApiTypes.STR, description="根网格编码")],
        responses={200: OpenApiTypes.OBJECT, 404: ErrorSerializer},
    )
    @action(detail=False, methods=["get"], url_path="geojson", filterset_class=None)
    def geojson(self, request):
        visible = visible_grids(request.user)
        root = None
        code = request.query_params.get("root")
        if code:
            root = visible.filter(code=code).first()
            if root is None:
                raise NotFound(_("编码 %(code)s 的网格不存在或不在您的范围内") % {"code": code})
        data = export_feature_collection(root, queryset=visible)
        response = Response(data)
        response["Content-Disposition"] = f'inline; filename="grids-{code or "all"}.geojson"'
        return response

    @extend_schema(
        summary="导入 GeoJSON 网格树(仅系统管理员)",
        request={"multipart/form-data": GridImportSerializer},
        responses={
            200: ImportReportSerializer,
            # The report of a refused tree, or the form's own errors (no file, say).
            400: or_validation_error("GridImportError", ImportReportSerializer),
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        permission_classes=[IsGridAdmin],
        parser_classes=[MultiPartParser, FormParser],
        filterset_class=None,
    )
    def import_tree(self, request):
        options = validated_input(GridImportSerializer, request)
        report = import_feature_collection(
            options["file"].read(),
            replace=options["replace"],
            dry_run=options["dry_run"],
            tolerance=Tolerance(options["tolerance_m"], options["tolerance_ratio"]),
        )
        code = status.HTTP_400_BAD_REQUEST if report.fatal else status.HTTP_200_OK
        return Response(ImportReportSerializer(report.as_dict()).data, status=code)

    @extend_schema(
        summary="“1+2+N”网格力量配置统计(微网格或其上级)",
        parameters=[ON_PARAMETER],
        responses={200: StaffingSummarySerializer},
    )
    @action(detail=True, methods=["get"], filterset_class=None)
    def staffing(self, request, code=None):
        grid = self.get_object()
        on = _date_param(request, "on")
        try:
            # Scoped users count only the micro-grids they may see, in the rows and the totals.
            summary = services.staffing_summary(
                grid, on=on, within=visible_micro_grids(request.user)
            )
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return Response(StaffingSummarySerializer(summary).data)

    @extend_schema(
        summary="按自西向东、自北向南重新编排居村内微网格的编号",
        request=None,
        responses={200: GridSerializer(many=True)},
    )
    # The community's micro-grids, all of them: a plain list, not a page.
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def renumber(self, request, code=None):
        community = self.get_object()
        try:
            ordered = services.renumber_micro_grids(community)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return Response(GridSerializer(ordered, many=True).data)

    @extend_schema(
        summary="拆分居委:所选微网格划入新建居委(编码按15位规则重排,原编码留存)",
        request=SplitCommunitySerializer,
        responses={201: GridDetailSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[MayEditTree],
        filterset_class=None,
        pagination_class=None,
    )
    def split(self, request, code=None):
        community = self.get_object()
        data = validated_input(SplitCommunitySerializer, request)
        codes = set(data["micro_grids"])
        chosen = list(visible_grids(request.user).filter(code__in=codes))
        if len(chosen) != len(codes):
            raise ValidationError({"micro_grids": [_("只能划出本居村的微网格")]})
        try:
            new = services.split_community(
                community,
                chosen,
                name=data["name"],
                number=data.get("number"),
                reason=data.get("reason", ""),
                user=request.user,
            )
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        new = services.annotate_households(visible_grids(request.user)).get(pk=new.pk)
        return Response(GridDetailSerializer(new).data, status=status.HTTP_201_CREATED)


def _date_param(request, name):
    value = request.query_params.get(name)
    if not value:
        return None
    parsed = form_date(value)
    if parsed is None:
        raise ValidationError({name: _("日期格式应为 YYYY-MM-DD")})
    try:
        validate_date_range(parsed)
    except DjangoValidationError as exc:
        raise ValidationError({name: exc.messages[0]}) from None
    return parsed


@extend_schema_view(
    list=extend_schema(summary="网格力量(人员)列表"),
    retrieve=extend_schema(summary="网格力量(人员)详情"),
)
class StaffMemberViewSet(viewsets.ModelViewSet):
    serializer_class = StaffMemberSerializer
    filterset_class = StaffMemberFilter
    permission_classes = [StaffingPermission]

    def get_queryset(self):
        today = timezone.localdate()
        qs = StaffMember.objects.prefetch_related(
            Prefetch(
                "posts",
                queryset=GridPost.objects.filter(services.active_posts_q(today))
                .select_related("micro_grid", "building_group")
                .order_by("micro_grid__code", "role"),
                to_attr="active_post_list",
            )
        )
        micro = visible_micro_grids(self.request.user)
        if micro is not None:
            # Scoped roles see the people who serve (or served) their micro-grids.
            ids = GridPost.objects.filter(micro_grid__in=micro.values("pk")).values("staff_id")
            qs = qs.filter(pk__in=ids)
        return qs.order_by("name", "id")

    def perform_destroy(self, instance):
        if instance.posts.exists():
            raise ValidationError({"detail": _("该人员仍有任职记录，请先结束或删除岗位")})
        try:
            instance.delete()
        except ProtectedError as exc:
            # Logged views of their phone (StaffPhoneAccess) keep the person on the roll.
            raise ValidationError(
                {"detail": _("该人员的联系电话查看记录须保留，不能删除该人员")}
            ) from exc

    @extend_schema(
        summary="查看完整联系电话(留痕)",
        request=None,
        responses={200: StaffPhoneSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="reveal-phone",
        permission_classes=[permissions.IsAuthenticated],
        filterset_class=None,
    )
    def reveal_phone(self, request, pk=None):
        staff = self.get_object()
        phone = services.reveal_staff_phone(request.user, staff, channel="api")
        return Response(StaffPhoneSerializer({"phone": phone}).data)


@extend_schema_view(
    list=extend_schema(summary="网格岗位列表(网格员只能看到本人所在微网格)"),
    retrieve=extend_schema(summary="网格岗位详情"),
    create=extend_schema(summary="任命岗位"),
)
class GridPostViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = GridPostSerializer
    filterset_class = GridPostFilter
    permission_classes = [StaffingPermission]

    def get_queryset(self):
        qs = GridPost.objects.select_related("micro_grid", "building_group", "staff")
        return scope_by_micro_grid(qs, self.request.user)

    def perform_destroy(self, instance):
        services.remove_post(instance)

    @extend_schema(
        summary="结束岗位", request=EndPostSerializer, responses={200: GridPostSerializer}
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def end(self, request, pk=None):
        post = self.get_object()
        body = EndPostSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            post = services.end_post(post, body.validated_data["end_date"])
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return Response(GridPostSerializer(post, context={"request": request}).data)
