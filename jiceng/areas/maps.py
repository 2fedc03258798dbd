"""Choosing a place: the coordinate fields, the map settings pages pass to ``static/jiceng/map.js``,
and the content-security policy that lets the city's tile server draw.

The latitude/longitude inputs are the source of truth. With the city's tile URL
(``map.tile_url``) the page adds a Leaflet map (served from ``node_modules``, never a CDN) where a
click or a dragged pin fills them; without one the inputs are all there is, and nothing is loaded
from outside the site.
"""

from decimal import Decimal
from functools import wraps
from urllib.parse import urlsplit

from django import forms
from django.conf import settings

from jiceng.areas.models import Area
from jiceng.areas.rules import MAP_ATTRIBUTION, MAP_TILE_URL
from jiceng.core.inputs import LATITUDE_RANGE, LONGITUDE_RANGE  # China's box, defined once
from jiceng.core.rules import get_rule
from jiceng.core.security import DEFAULT_POLICY


def _coordinate_field(label: str, bounds: tuple[Decimal, Decimal], example: str) -> forms.DecimalField:
    low, high = bounds
    message = f"{label}应在 {low} 至 {high} 之间（我国境内）。"
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=low,
        max_value=high,
        error_messages={
            "invalid": f"{label}请填写数字，如 {example}。",
            "min_value": message,
            "max_value": message,
            "max_decimal_places": f"{label}最多保留 6 位小数。",
            "max_digits": f"{label}最多保留 6 位小数。",
        },
        widget=forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal", "placeholder": f"如 {example}"}),
    )


def latitude_field() -> forms.DecimalField:
    return _coordinate_field("纬度", LATITUDE_RANGE, "32.041200")


def longitude_field() -> forms.DecimalField:
    return _coordinate_field("经度", LONGITUDE_RANGE, "118.784100")


def check_pair(form: forms.Form, latitude: str = "latitude", longitude: str = "longitude") -> None:
    """Both or neither: one coordinate alone is no place."""
    data = form.cleaned_data
    if form.has_error(latitude) or form.has_error(longitude):
        return
    if (data.get(latitude) is None) != (data.get(longitude) is None):
        form.add_error(latitude if data.get(latitude) is None else longitude, "经度和纬度须同时填写。")


def map_settings(near=(), *, pins: bool = False) -> dict:
    """What a page with a map needs (``data-`` attributes of its map element).

    ``tile_url`` ("" = coordinates only, no map unless the page shows ``pins``), ``attribution``,
    and where the map opens when there is no point yet: the first of ``near`` (areas) that has
    coordinates, else the highest area that has them, else the middle of China.
    """
    tile_url = get_rule(MAP_TILE_URL)
    settings_ = {"tile_url": tile_url, "attribution": get_rule(MAP_ATTRIBUTION), "lat": "35", "lng": "105", "zoom": 4}
    if not (tile_url or pins):
        return settings_
    centre = next((a for a in near if a is not None and a.latitude is not None and a.longitude is not None), None)
    zoom = 16
    if centre is None:
        zoom = 12
        centre = (
            Area.objects.filter(latitude__isnull=False, longitude__isnull=False)
            .order_by("code")
            .only("latitude", "longitude")
            .first()
        )
    if centre is not None:
        settings_.update(lat=str(centre.latitude), lng=str(centre.longitude), zoom=zoom)
    return settings_


def tile_origin(tile_url: str) -> str:
    """``scheme://host[:port]`` of an absolute tile URL; "" for a URL on this site."""
    parts = urlsplit(tile_url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def policy_with_tiles(tile_url: str) -> str:
    """The site's policy, with the tile server allowed as an image source (and nothing else)."""
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or DEFAULT_POLICY
    origin = tile_origin(tile_url)
    if not origin:
        return policy
    directives = [d.strip() for d in policy.split(";") if d.strip()]
    if not any(d.startswith("img-src") for d in directives):
        directives.append("img-src 'self' data:")
    return "; ".join(f"{d} {origin}" if d.startswith("img-src") else d for d in directives)


def allows_tiles(view):
    """Let a page with a map load the city's tiles: its answer carries the widened policy."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        tile_url = get_rule(MAP_TILE_URL)
        if tile_origin(tile_url):
            response["Content-Security-Policy"] = policy_with_tiles(tile_url)
        return response

    return wrapper
