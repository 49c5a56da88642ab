"""案件处置单: the printable sheet of one case, and the map image it prints.

The sheet is an HTML page with a print stylesheet (A4, no navigation, sections kept whole across
page breaks): the case's facts, its deadlines, a map, the history (流转记录) and lines for the
signatures of 处置人, 核查人 and the date. It is scoped like the case page (the same queryset).

The map is a PNG drawn here with Pillow from the micro-grid's boundary and the reported point:
the machines have no tile server, and an image prints where a Leaflet map (tiles or canvas) does
not reliably. A scale bar and a north arrow make it readable on paper.
"""

import io
import math

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from civicgrid.accounts.access import role_required
from civicgrid.accounts.policy import CONSOLE_CASE_ROLES

MAP_SIZE = (640, 400)
_SUPERSAMPLE = 2
_METRES_PER_DEGREE = 111_320.0
# Around a point with no boundary to frame it: about 250 m each way.
_POINT_SPAN_DEGREES = 0.0025


def _rings(geometry) -> list[list[tuple[float, float]]]:
    """The outer and inner rings of a GeoJSON Polygon or MultiPolygon as (lon, lat) lists."""
    if not geometry:
        return []
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    rings = []
    for polygon in polygons:
        for ring in polygon:
            points = [(float(p[0]), float(p[1])) for p in ring if len(p) >= 2]
            if len(points) >= 3:
                rings.append(points)
    return rings


def _nice_length(metres: float) -> int:
    """The largest 1-2-5 length (metres) not above `metres`."""
    if metres <= 1:
        return 1
    power = 10 ** math.floor(math.log10(metres))
    for step in (5, 2, 1):
        if step * power <= metres:
            return int(step * power)
    return int(power)


def render_map_png(geometry, point, size=MAP_SIZE) -> bytes | None:
    """A PNG of the boundary (GeoJSON) and the point (lon, lat), or None when there is neither."""
    from PIL import Image, ImageDraw, ImageFont

    rings = _rings(geometry)
    lons = [x for ring in rings for x, _y in ring]
    lats = [y for ring in rings for _x, y in ring]
    if point is not None:
        lons.append(point[0])
        lats.append(point[1])
    if not lons:
        return None
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    if not rings:
        west, east = west - _POINT_SPAN_DEGREES, east + _POINT_SPAN_DEGREES
        south, north = south - _POINT_SPAN_DEGREES, north + _POINT_SPAN_DEGREES
    # Equirectangular at the middle latitude: at a street's size the error is invisible.
    squeeze = math.cos(math.radians((south + north) / 2))
    s = _SUPERSAMPLE
    width, height = size[0] * s, size[1] * s
    margin = 24 * s
    span_x = max((east - west) * squeeze, 1e-6)
    span_y = max(north - south, 1e-6)
    scale = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)
    off_x = (width - span_x * scale) / 2
    off_y = (height - span_y * scale) / 2

    def project(lon, lat):
        return (off_x + (lon - west) * squeeze * scale, off_y + (north - lat) * scale)

    image = Image.new("RGB", (width, height), "#f4f6f3")
    draw = ImageDraw.Draw(image)
    for ring in rings:
        draw.polygon([project(x, y) for x, y in ring], fill="#d6e6ef", outline="#35607a")
        draw.line([project(x, y) for x, y in [*ring, ring[0]]], fill="#35607a", width=3 * s)
    if point is not None:
        cx, cy = project(*point)
        r = 9 * s
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill="#c0392b", outline="white", width=3 * s)
        draw.line([cx - 2 * r, cy, cx - r, cy], fill="#c0392b", width=2 * s)
        draw.line([cx + r, cy, cx + 2 * r, cy], fill="#c0392b", width=2 * s)

    font = ImageFont.load_default(size=13 * s)
    # Scale bar, bottom left: about a quarter of the width, in a round number of metres.
    metres_per_pixel = _METRES_PER_DEGREE / scale
    bar_m = _nice_length(width / 4 * metres_per_pixel)
    bar_px = bar_m / metres_per_pixel
    x0, y0 = margin, height - margin
    draw.rectangle([x0 - 6 * s, y0 - 26 * s, x0 + bar_px + 6 * s, y0 + 8 * s], fill="white")
    draw.line([x0, y0, x0 + bar_px, y0], fill="#222", width=3 * s)
    for x in (x0, x0 + bar_px):
        draw.line([x, y0 - 6 * s, x, y0], fill="#222", width=2 * s)
    label = f"{bar_m / 1000:g} km" if bar_m >= 1000 else f"{bar_m} m"
    draw.text((x0, y0 - 24 * s), label, fill="#222", font=font)
    # North arrow, top right.
    nx, ny = width - margin, margin
    draw.polygon([(nx, ny), (nx - 8 * s, ny + 22 * s), (nx + 8 * s, ny + 22 * s)], fill="#222")
    draw.text((nx - 5 * s, ny + 24 * s), "N", fill="#222", font=font)

    image = image.resize(size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _case(request, number):
    from civicgrid.console.views import _case_queryset

    return get_object_or_404(_case_queryset(request.user), number=number)


def _point(case):
    return (case.lon, case.lat) if case.lon is not None and case.lat is not None else None


@require_GET
@role_required(*CONSOLE_CASE_ROLES)
def case_map_png(request, number):
    """GET /console/case/<n>/map.png: the case's map as an image (404 when it has no place)."""
    from django.http import Http404

    case = _case(request, number)
    geometry = case.micro_grid.geometry if case.micro_grid_id else None
    png = render_map_png(geometry, _point(case))
    if png is None:
        raise Http404
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_GET
@role_required(*CONSOLE_CASE_ROLES)
def case_print(request, number):
    """GET /console/case/<n>/print/: the 案件处置单 (print it with the page's button or Ctrl+P)."""
    from civicgrid.attachments.models import Attachment
    from civicgrid.console.views import _deadlines

    case = _case(request, number)
    now = timezone.now()
    has_map = _point(case) is not None or bool(
        case.micro_grid_id and _rings(case.micro_grid.geometry)
    )
    return render(
        request,
        "console/print.html",
        {
            "case": case,
            "events": list(case.events.all()),
            "extensions": list(case.extensions.all()),
            "deadlines": _deadlines(case, now),
            "has_map": has_map,
            "photo_count": Attachment.objects.filter(case=case).count(),
            "printed_at": now,
        },
    )
