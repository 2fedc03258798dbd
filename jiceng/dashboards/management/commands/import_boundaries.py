"""``manage.py import_boundaries <file.geojson>``: area outlines for the 大屏 map.

Reads a GeoJSON FeatureCollection whose features carry the area's code in a property (``code`` by
default, ``--code-property`` to name another, such as ``adcode`` in files from the national
standard map service). Each feature whose code is an area of the platform is stored (replacing an
earlier outline of the same code); the others are counted and named in the summary. The whole file
is read and checked before anything is written: a file that is not GeoJSON writes nothing.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from jiceng.areas.models import Area
from jiceng.dashboards.models import Boundary

GEOMETRIES = {"Polygon", "MultiPolygon"}


class Command(BaseCommand):
    help = "导入区划边界（GeoJSON），供大屏地图使用"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--code-property", default="code")

    def handle(self, *args, file, code_property, **options):
        try:
            with open(file, encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError) as exc:
            raise CommandError(f"无法读取 GeoJSON 文件：{exc}") from exc
        if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
            raise CommandError("文件不是 GeoJSON 的 FeatureCollection。")
        features = data.get("features") or []
        shapes, bad = {}, []
        for index, feature in enumerate(features, start=1):
            props = (feature or {}).get("properties") or {}
            geometry = (feature or {}).get("geometry") or {}
            code = str(props.get(code_property, "")).strip()
            if not code or geometry.get("type") not in GEOMETRIES or not geometry.get("coordinates"):
                bad.append(f"第 {index} 个要素缺少 {code_property} 或多边形几何")
                continue
            shapes[code] = (str(props.get("name", ""))[:100], geometry)
        if bad:
            raise CommandError("；".join(bad[:10]) + ("……" if len(bad) > 10 else "") + "。未导入任何边界。")
        known = dict(Area.objects.filter(code__in=list(shapes)).values_list("code", "name"))
        unknown = sorted(set(shapes) - set(known))
        now = timezone.now()
        with transaction.atomic():
            Boundary.objects.filter(code__in=list(known)).delete()
            Boundary.objects.bulk_create(
                Boundary(code=code, name=known[code] or shapes[code][0], geometry=shapes[code][1], imported_at=now)
                for code in sorted(known)
            )
        self.stdout.write(f"已导入 {len(known)} 个区划的边界。")
        if unknown:
            self.stdout.write(f"{len(unknown)} 个编码不是本平台的区划，已跳过：{'、'.join(unknown[:20])}")
