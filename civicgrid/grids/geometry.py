"""Geometry helpers on GeoJSON dicts (WGS84 lon/lat), done in-process with shapely."""

import math

import numpy as np
import shapely
from shapely.geometry import shape

EARTH_RADIUS_M = 6_371_008.8


def to_shape(geojson: dict):
    return shape(geojson)


def local_metric(geom, lat0: float | None = None):
    """Project lon/lat to metres on a local equirectangular plane around lat0.

    At street and city scale (tens of km) the error is far below a grid's drawing precision,
    and it needs no projection library.
    """
    if lat0 is None:
        lat0 = geom.centroid.y
    kx = math.cos(math.radians(lat0)) * math.pi / 180 * EARTH_RADIUS_M
    ky = math.pi / 180 * EARTH_RADIUS_M
    return shapely.transform(geom, lambda xy: xy * np.array([kx, ky]))


def area_m2(geom) -> float:
    return float(local_metric(geom).area)


def metres_to_degrees(metres: float, lat: float) -> tuple[float, float]:
    """(dlon, dlat) of a distance in metres near latitude `lat`."""
    dlat = metres / (math.pi / 180 * EARTH_RADIUS_M)
    dlon = metres / (math.cos(math.radians(lat)) * math.pi / 180 * EARTH_RADIUS_M)
    return dlon, dlat
