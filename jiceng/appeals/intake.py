"""Intake checks shared by the services, the pages and Open311: where, what kind, extra fields, photos."""

from decimal import InvalidOperation

from django.utils.dateparse import parse_datetime

from jiceng.appeals.errors import AppealError
from jiceng.appeals.locate import nearest_grid, valid_point
from jiceng.appeals.models import Appeal, AppealPhoto, Category, LocationSource
from jiceng.appeals.rules import PHOTO_MAX_BYTES, PHOTO_MAX_COUNT, PHOTO_TYPES
from jiceng.areas.models import Area
from jiceng.core.cache import table
from jiceng.core.inputs import COORDINATE_PLACES, InputError, read_number
from jiceng.core.rules import get_rule

DESCRIPTION_MAX = 4000
CATALOGUE = "appeal-categories"


# --------------------------------------------------------------------------- location and category


def resolve_location(area=None, latitude=None, longitude=None, address: str = "") -> tuple[Area, str]:
    """(area, how it was found): an area as given, a grid found from coordinates, or the city by address."""
    if latitude is not None and longitude is not None and not valid_point(latitude, longitude):
        raise AppealError("坐标不正确（应为中国境内的纬度、经度）。", code="location")
    if area is not None:
        return area, LocationSource.AREA
    if latitude is not None and longitude is not None:
        grid = nearest_grid(latitude, longitude)
        if grid is not None:
            return grid, LocationSource.COORDINATES
    if not (address or "").strip() and (latitude is None or longitude is None):
        raise AppealError("请选择诉求所在位置，或提供坐标或地址。", code="location")
    roots = list(Area.objects.filter(parent__isnull=True).order_by("code")[:2])
    if len(roots) != 1:
        raise AppealError("无法根据地址确定所在区划，请选择诉求所在位置。", code="location")
    source = LocationSource.COORDINATES if latitude is not None and longitude is not None else LocationSource.ADDRESS
    return roots[0], source


def parse_coordinate(value, label: str):
    """A number to six places (its range is checked with the location); ``NaN`` and ``inf`` are refused."""
    if value is None or value == "":
        return None
    try:
        return read_number(value, label).quantize(COORDINATE_PLACES)
    except (InputError, InvalidOperation):
        raise AppealError(f"{label}应为数字。", code="location") from None


def catalogue() -> dict[str, Category]:
    """Every category by code, kept per process (jiceng.core.cache): read-only objects."""
    return table(CATALOGUE, lambda: {c.code: c for c in Category.objects.all()})


def get_category(category) -> Category:
    if isinstance(category, Category):
        return category
    found = catalogue().get(str(category or ""))
    if found is None:
        raise AppealError(f"诉求类别“{category}”不存在。", code="category")
    return found


def validate_attributes(category: Category, values: dict | None) -> dict:
    """Values for the category's extra fields (Open311 attributes), checked against their definitions."""
    values = dict(values or {})
    result = {}
    for definition in category.attributes or []:
        if not definition.get("variable", True):
            continue
        code = definition["code"]
        label = definition.get("description") or code
        value = values.get(code)
        if value is None or value == "" or value == []:
            if definition.get("required"):
                raise AppealError(f"请填写“{label}”。", code="attribute")
            continue
        check = _ATTRIBUTE_CHECKS.get(definition.get("datatype", "string"), _check_text)
        result[code] = check(definition, label, value)
    return result


def _check_number(definition: dict, label: str, value) -> str:
    try:
        read_number(value, label)  # NaN and inf are no numbers
    except InputError:
        raise AppealError(f"“{label}”应为数字。", code="attribute") from None
    return str(value)


def _check_datetime(definition: dict, label: str, value) -> str:
    if parse_datetime(str(value)) is None:
        raise AppealError(f"“{label}”应为日期时间（如 2025-10-01T08:00:00+08:00）。", code="attribute")
    return str(value)


def _keys(definition: dict) -> set[str]:
    return {str(v["key"]) for v in definition.get("values") or []}


def _check_single(definition: dict, label: str, value) -> str:
    if str(value) not in _keys(definition):
        raise AppealError(f"“{label}”的取值“{value}”不在可选范围内。", code="attribute")
    return str(value)


def _check_multiple(definition: dict, label: str, value) -> list[str]:
    chosen = [str(v) for v in (value if isinstance(value, list | tuple) else [value])]
    bad = [v for v in chosen if v not in _keys(definition)]
    if bad:
        raise AppealError(f"“{label}”的取值“{'、'.join(bad)}”不在可选范围内。", code="attribute")
    return chosen


def _check_text(definition: dict, label: str, value) -> str:
    text = str(value).strip()
    if len(text) > (DESCRIPTION_MAX if definition.get("datatype") == "text" else 200):
        raise AppealError(f"“{label}”太长。", code="attribute")
    return text


# Open311 datatypes → their check; "string", "text" and anything unknown are free text.
_ATTRIBUTE_CHECKS = {
    "number": _check_number,
    "datetime": _check_datetime,
    "singlevaluelist": _check_single,
    "multivaluelist": _check_multiple,
}


# --------------------------------------------------------------------------- photos


def photo_type(head: bytes) -> str | None:
    """The image type from the file's first bytes (never from its name or the browser's word)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"hevc", b"heim", b"heis"):
        return "heic"
    return None


CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "heic": "image/heic"}


def validate_photo(upload) -> str:
    """The photo's type if it is allowed and not too large; else :class:`AppealError`."""
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    limit = get_rule(PHOTO_MAX_BYTES)
    if size > limit:
        raise AppealError(f"照片不能超过{limit // (1024 * 1024)} MB。", code="photo_size")
    if size == 0:
        raise AppealError("照片文件是空的。", code="photo_type")
    kind = photo_type(head)
    allowed = get_rule(PHOTO_TYPES)
    if kind is None or kind not in allowed:
        raise AppealError(f"只能上传照片（{'、'.join(a.upper() for a in allowed)} 格式）。", code="photo_type")
    return kind


def check_photo_count(appeal: Appeal, adding: int) -> None:
    limit = get_rule(PHOTO_MAX_COUNT)
    if AppealPhoto.objects.filter(appeal=appeal).count() + adding > limit:
        raise AppealError(f"每件诉求最多上传{limit}张照片。", code="photo_count")


def store_photos(appeal: Appeal, uploads, kinds, actor, stage: str, event=None) -> list[AppealPhoto]:
    photos = []
    for upload, kind in zip(uploads, kinds, strict=True):
        photo = AppealPhoto(
            appeal=appeal,
            event=event,
            stage=stage,
            content_type=CONTENT_TYPES[kind],
            size=upload.size,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        name = getattr(upload, "name", "") or f"photo.{kind}"
        photo.file.save(f"{appeal.pk}-{name.rsplit('/', 1)[-1][-60:]}", upload, save=False)
        photo.save()
        photos.append(photo)
    return photos
