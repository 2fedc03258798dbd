"""Coordinates → a grid: the nearest grid centre (``Area.latitude/longitude``) within a distance.

The area tree holds no grid boundaries yet, so a point goes to the grid whose centre is nearest,
searched in a small box around the point (indexed by level, then a few hundred rows at most),
and only if that centre lies within ``appeals.max_grid_distance_m``. A point with no grid near
enough is not guessed: the appeal keeps the coordinates and an address and is dispatched by hand.
"""

import math
from decimal import Decimal

from jiceng.appeals.rules import MAX_GRID_DISTANCE_M
from jiceng.areas.models import Area, Level
from jiceng.core.inputs import in_china
from jiceng.core.rules import get_rule

EARTH_RADIUS_M = 6_371_000


def distance_m(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance (haversine) in metres."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp = p2 - p1
    dl = math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def valid_point(latitude, longitude) -> bool:
    """Both numbers, inside China's box (``jiceng.core.inputs``): anything else is a typing error
    (or 0,0)."""
    return in_china(latitude, longitude)


def nearest_grid(latitude, longitude, max_distance_m: float | None = None) -> Area | None:
    """The grid whose centre is nearest to the point, if within ``max_distance_m``."""
    if not valid_point(latitude, longitude):
        return None
    limit = get_rule(MAX_GRID_DISTANCE_M) if max_distance_m is None else max_distance_m
    lat, lon = float(latitude), float(longitude)
    # A box a little larger than the limit: 1° of latitude is ~111 km everywhere, 1° of longitude
    # shrinks with cos(latitude).
    dlat = limit / 111_000 * 1.1
    dlon = limit / (111_000 * max(math.cos(math.radians(lat)), 0.1)) * 1.1
    candidates = Area.objects.filter(
        level=Level.GRID,
        latitude__gte=Decimal(str(round(lat - dlat, 6))),
        latitude__lte=Decimal(str(round(lat + dlat, 6))),
        longitude__gte=Decimal(str(round(lon - dlon, 6))),
        longitude__lte=Decimal(str(round(lon + dlon, 6))),
    ).only("id", "code", "name", "level", "latitude", "longitude", "parent_id")
    best, best_distance = None, None
    for grid in candidates:
        d = distance_m(lat, lon, grid.latitude, grid.longitude)
        if d <= limit and (
            best_distance is None or d < best_distance or (d == best_distance and grid.code < best.code)
        ):
            best, best_distance = grid, d
    return best
