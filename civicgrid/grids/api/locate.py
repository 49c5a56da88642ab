"""Point → grid REST endpoints (GET /api/grids/locate/, POST /api/grids/locate/batch/).

The answer is geography (which micro-grid, community, street holds a place), not personal
data, so every signed-in user may ask about any point: a grid worker reporting a problem just
outside his own grid must still learn whose grid it is. Boundary points follow the locator's
rule: the lowest grid code wins (see grids.locator).
"""

import math

import numpy as np
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from civicgrid.grids import locator

BATCH_LIMIT = 10_000


class GridRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class LocateResultSerializer(serializers.Serializer):
    micro_grid = GridRefSerializer(allow_null=True)
    community = GridRefSerializer(allow_null=True, required=False)
    area = GridRefSerializer(allow_null=True, required=False)
    street = GridRefSerializer(allow_null=True, required=False)
    building_group = GridRefSerializer(allow_null=True, required=False)


def _ref(ref):
    return None if ref is None else {"id": ref.id, "code": ref.code, "name": ref.name}


def _payload(result) -> dict:
    if result is None:
        return {"micro_grid": None}
    return {
        "micro_grid": _ref(result.micro_grid),
        "community": _ref(result.community),
        "area": _ref(result.area),
        "street": _ref(result.street),
        "building_group": _ref(result.building_group),
    }


def _coordinate(value, field: str, label: str, limit: float, where: str = "") -> float:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError(
            {field: _("%(where)s缺少%(label)s") % {"where": where, "label": label}}
        )
    if isinstance(value, bool):
        value = "bool"  # JSON true/false is no coordinate
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ValidationError(
            {field: _("%(where)s%(label)s必须是数字") % {"where": where, "label": label}}
        ) from None
    if not math.isfinite(number) or abs(number) > limit:
        raise ValidationError(
            {
                field: _("%(where)s%(label)s超出范围（应在 -%(limit)s 到 %(limit)s 之间）")
                % {"where": where, "label": label, "limit": int(limit)}
            }
        )
    return number


class LocateView(APIView):
    """Which micro-grid (with its community, area, street, building group) holds a point."""

    @extend_schema(
        summary="坐标定位网格(WGS84 经纬度 → 微网格及其上级)",
        parameters=[
            OpenApiParameter("lon", OpenApiTypes.DOUBLE, required=True, description="经度"),
            OpenApiParameter("lat", OpenApiTypes.DOUBLE, required=True, description="纬度"),
        ],
        responses={200: LocateResultSerializer},
        examples=[OpenApiExample("网格外", value={"micro_grid": None}, response_only=True)],
    )
    def get(self, request):
        lon = _coordinate(request.query_params.get("lon"), "lon", _("经度"), 180)
        lat = _coordinate(request.query_params.get("lat"), "lat", _("纬度"), 90)
        return Response(_payload(locator.locate_point(lon, lat)))


class LocateBatchView(APIView):
    """Many points at once; results come in the order of the points."""

    @extend_schema(
        summary="批量坐标定位网格(最多 10000 个点)",
        request=inline_serializer(
            "LocateBatchRequest",
            {
                "points": serializers.ListField(
                    child=serializers.ListField(child=serializers.FloatField()),
                    help_text="[[经度, 纬度], ...]",
                )
            },
        ),
        responses={
            200: inline_serializer(
                "LocateBatchResponse", {"results": LocateResultSerializer(many=True)}
            )
        },
    )
    def post(self, request):
        points = request.data.get("points") if isinstance(request.data, dict) else None
        if not isinstance(points, list):
            raise ValidationError({"points": _("请提供 points:[[经度， 纬度], ...] 列表")})
        if len(points) > BATCH_LIMIT:
            raise ValidationError(
                {
                    "points": _("一次最多定位 %(limit)s 个点，收到 %(n)s 个")
                    % {"limit": BATCH_LIMIT, "n": len(points)}
                }
            )
        lons = np.empty(len(points))
        lats = np.empty(len(points))
        for i, point in enumerate(points):
            where = _("第 %(n)s 个点的") % {"n": i + 1}
            if not isinstance(point, (list, tuple)) or len(point) != 2:
                raise ValidationError(
                    {"points": _("%(where)s格式应为 [经度， 纬度]") % {"where": where}}
                )
            lons[i] = _coordinate(point[0], "points", _("经度"), 180, where)
            lats[i] = _coordinate(point[1], "points", _("纬度"), 90, where)
        located = locator.get_locator()
        positions = located.micro_index.locate_many(lons, lats)
        results = [
            _payload(None if pos < 0 else located.result(int(pos), lon, lat))
            for pos, lon, lat in zip(positions.tolist(), lons.tolist(), lats.tolist(), strict=True)
        ]
        return Response({"results": results})
