"""Reading with limits (issue 13, point 2): hostile workbooks are refused in Chinese before
calamine builds anything from them, and ordinary ones still read."""

import io
import random
import re

import pytest

from jiceng.core.excel import (
    CHOICE,
    Column,
    ErrorCollector,
    ExcelError,
    ReadLimits,
    RowError,
    SheetReader,
    Spec,
    reading,
)
from jiceng.core.excel.limits import columns_pattern, number_range_pattern

from . import hostile_xlsx as hostile

SPEC = Spec(
    key="people",
    title="人员",
    columns=(
        Column("姓名", "name", required=True),
        Column("公民身份号码", "id_number", required=True),
        Column("状态", "status", CHOICE, choices=(("full", "正式党员"),)),
    ),
)
HEADERS = ["姓名", "公民身份号码", "状态"]
LIMITS = ReadLimits.for_spec(SPEC, extra_columns=2, max_rows=1000, max_cell_chars=1000)  # 5 columns: A–E


@pytest.fixture
def calamine_calls(monkeypatch):
    """Every workbook handed to calamine (the chunks the reader writes)."""
    calls = []
    original = reading.open_sheet

    def spy(source, *args, **kwargs):
        calls.append(source)
        return original(source, *args, **kwargs)

    monkeypatch.setattr(reading, "open_sheet", spy)
    return calls


def read(content: bytes, limits: ReadLimits = LIMITS, **kwargs) -> list:
    return list(SheetReader(io.BytesIO(content), SPEC, "x.xlsx", limits=limits, **kwargs).rows())


def refused(content: bytes, limits: ReadLimits = LIMITS) -> str:
    with pytest.raises(ExcelError) as caught:
        read(content, limits)
    return caught.value.message


# --------------------------------------------------------------------------- cell positions


def test_one_cell_at_cv1048576_is_refused_before_calamine_sees_the_file(calamine_calls):
    content = hostile.far_cell(HEADERS, "CV1048576")
    assert len(content) < 2500  # the 1,988-byte file of the issue
    assert "超过 1,000 行的导入上限（第 1,048,576 行还有内容或格式）" in refused(content)
    assert calamine_calls == []  # neither the upload nor a chunk of it was parsed


def test_a_cell_beyond_the_templates_columns_is_refused(calamine_calls):
    assert "单元格 CV2 超出了模板的列数（最多到 E 列）" in refused(hostile.far_cell(HEADERS, "CV2"))
    assert "单元格 F2 超出了模板的列数" in refused(hostile.too_many_columns(HEADERS, 6))
    assert calamine_calls == []
    # The template's columns plus the margin are read.
    assert read(hostile.too_many_columns(HEADERS, 5)) == [(2, ("", "", ""))]  # in an unmapped column


def test_cells_without_a_position_count_as_columns(calamine_calls):
    assert "第 2 行的单元格超出了模板的列数（最多到 E 列）" in refused(hostile.cells_without_reference(HEADERS, 6))
    assert calamine_calls == []
    assert len(read(hostile.cells_without_reference(HEADERS, 5))) == 1


def test_a_cell_placed_far_from_its_row_is_refused(calamine_calls):
    limits = ReadLimits.for_spec(SPEC, max_rows=1_000_000)
    message = refused(hostile.cell_outside_its_row(HEADERS, "A900000"), limits)
    assert "文件结构异常（单元格 A900000 不在它所在的行）" in message
    assert calamine_calls == []


def test_rows_over_the_kinds_cap_are_refused():
    limits = ReadLimits.for_spec(SPEC, max_rows=1000)
    assert len(read(hostile.too_many_rows(HEADERS, 1000), limits)) == 1000
    assert "超过 1,000 行的导入上限" in refused(hostile.too_many_rows(HEADERS, 1011), limits)


def test_a_huge_declared_dimension_is_ignored(calamine_calls):
    rows = [["张三", "11010519491231002X", "正式党员"], ["李四", "440524188001010014", "正式党员"]]
    reader = SheetReader(io.BytesIO(hostile.declared_dimension(HEADERS, rows)), SPEC, limits=LIMITS)
    assert (reader.sheet.height, reader.sheet.width) == (3, 3)  # not 1,048,576 × 16,384
    assert [values for _, values in reader.rows()] == [tuple(r) for r in rows]
    assert len(calamine_calls) == 1


# --------------------------------------------------------------------------- sizes


def test_a_shared_string_over_the_cell_limit_is_refused(calamine_calls):
    content = hostile.long_shared_string(HEADERS, 2 * LIMITS.max_cell_chars * 4)  # ASCII: 1 byte a character
    assert "有单元格的内容超过 1,000 个字符" in refused(content)
    assert calamine_calls == []
    assert read(hostile.long_shared_string(HEADERS, 900)) == [(2, (_first_shared(900), "", ""))]


def _first_shared(chars: int) -> str:
    rnd = random.Random(13)
    return "".join(rnd.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") for _ in range(chars))


def test_an_inline_cell_over_the_limit_is_refused():
    long_cell = '<row r="2">' + hostile.text_cell("A2", "长" * 7000) + "</row>"
    assert "第 2 行附近有单元格的内容超过 1,000 个字符" in refused(hostile.book(HEADERS, long_cell))


def test_the_200_mb_shared_string_of_the_issue_is_refused_by_its_compression_ratio(calamine_calls):
    # The same file at 5 MB (the 200 MB one compresses to ~200 KB; bench/import_memory.py builds it).
    content = hostile.long_shared_string(HEADERS, 5 * 1024 * 1024, compressible=True)
    assert len(content) < 20_000
    assert "文件的压缩比异常" in refused(content, ReadLimits.for_spec(SPEC))
    assert calamine_calls == []


def test_a_zip_bomb_by_ratio_is_refused(calamine_calls):
    message = refused(hostile.ratio_bomb(HEADERS, 20), ReadLimits.for_spec(SPEC))
    assert re.search(r"文件的压缩比异常（其中一部分解压后是压缩时的 [\d,]+ 倍，上限 100 倍）", message)
    assert calamine_calls == []


def test_the_total_inflated_size_is_capped_by_the_directory_and_while_reading(monkeypatch):
    limits = ReadLimits.for_spec(SPEC, max_uncompressed=4 * 1024 * 1024, max_ratio=100_000)
    content = hostile.ratio_bomb(HEADERS, 8)
    assert "文件解压后超过 4 MB 的导入上限" in refused(content, limits)
    # Should the directory understate the sizes, the bytes inflated are counted as they come.
    monkeypatch.setattr(reading, "check_directory", lambda infos, limits: None)
    assert "文件解压后超过 4 MB 的导入上限" in refused(content, limits)


def test_a_size_the_headers_understate_is_not_believed():
    assert "文件已损坏" in refused(hostile.lying_size(HEADERS), ReadLimits.for_spec(SPEC))


def test_a_zip_with_too_many_members_is_refused_before_its_directory_is_read():
    assert "文件结构异常（包含 10,001 个部件）" in refused(hostile.many_members(10_000))  # and the workbook


# --------------------------------------------------------------------------- what is kept of a cell


def test_error_previews_keep_a_short_prefix_and_the_report_the_value(tmp_path):
    errors = ErrorCollector(tmp_path / "report.xlsx")
    errors.add(RowError(2, "姓名", "名" * 5000, "长度超过50个字符"))
    errors.add(RowError(0, "表" * 80, "表" * 80, "无法识别的列名"))
    assert errors.preview[0].value == "名" * 50 + "…"
    assert errors.preview[1].column == "表" * 50 + "…"
    from python_calamine import CalamineWorkbook

    report = errors.close()
    rows = CalamineWorkbook.from_path(str(report)).get_sheet_by_index(0).to_python()
    assert rows[1][2] == "名" * 5000


# --------------------------------------------------------------------------- the patterns


def test_row_and_column_patterns_match_exactly_their_ranges():
    rnd = random.Random(2)
    cases = [(1, 1), (1, 10), (99, 100), (50_001, 100_000), (1, 1_000_010)]
    cases += [(a, a + rnd.randint(0, 60_000)) for a in (rnd.randint(1, 2_000_000) for _ in range(40))]
    for low, high in cases:
        pattern = re.compile(number_range_pattern(low, high) + "$")
        probes = {*range(max(1, low - 12), low + 12), *range(max(1, high - 12), high + 12)}
        probes |= {rnd.randint(1, 3_000_000) for _ in range(100)}
        for n in probes:
            assert bool(pattern.match(str(n))) == (low <= n <= high), (low, high, n)
    for last in (1, 26, 27, 49, 702, 703):
        pattern = re.compile(columns_pattern(last) + "$")
        assert [n for n in range(1, 800) if pattern.match(hostile.letters(n))] == list(range(1, last + 1))


def test_a_limit_met_in_a_later_chunk_stops_the_read(calamine_calls):
    rows = "".join(f'<row r="{n}">{hostile.text_cell(f"A{n}", f"人员{n}")}</row>' for n in range(2, 2502))
    content = hostile.book(HEADERS, rows + '<row r="2600">' + hostile.text_cell("CV2600", "x") + "</row>")
    reader = SheetReader(io.BytesIO(content), SPEC, limits=ReadLimits.for_spec(SPEC), chunk_rows=1000)
    seen = []
    with pytest.raises(ExcelError, match="单元格 CV2600 超出了模板的列数"):
        for number, _values in reader.rows():
            seen.append(number)
    assert seen == list(range(2, 2001))  # rows 1–1000 and 1001–2000: the chunks before the cell
    assert len(calamine_calls) == 2


def test_cells_with_another_namespace_prefix_are_refused(calamine_calls):
    """calamine reads <q:c> as a cell whatever q is: a prefix the checks do not expect is refused."""
    q = 'xmlns:q="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    hidden = f'<row r="2"><q:c {q} r="CV1048576" t="inlineStr"><q:is><q:t>x</q:t></q:is></q:c></row>'
    assert "命名空间前缀不一致" in refused(hostile.book(HEADERS, hidden), ReadLimits.for_spec(SPEC, max_rows=2_000_000))
    assert calamine_calls == []


def test_a_workbook_written_with_prefixes_throughout_reads(tmp_path):
    """The .NET Open XML SDK writes x:sheetData, x:row, x:c: that is one prefix, and reads."""
    content = hostile.book(HEADERS, '<row r="2">' + hostile.text_cell("A2", "张三") + "</row>")
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(content))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode().replace('<worksheet xmlns="', '<x:worksheet xmlns:x="')
                text = re.sub(r"<(/?)(?!x:)([a-zA-Z]+)", r"<\1x:\2", text.split("?>", 1)[1])
                data = ('<?xml version="1.0"?>' + text).encode()
            out.writestr(info, data)
    assert read(target.getvalue()) == [(2, ("张三", "", ""))]


def test_a_shared_string_table_of_too_many_strings_is_refused(monkeypatch):
    from jiceng.core.excel import limits

    monkeypatch.setattr(limits, "MAX_SHARED_STRING_ITEMS", 1000)
    content = hostile.book(
        HEADERS, '<row r="2"><c r="A2" t="s"><v>0</v></c></row>', shared=[str(n) for n in range(1001)]
    )
    assert "文件中的不同文字超过 1,000 条的导入上限" in refused(content)
    content = hostile.book(
        HEADERS, '<row r="2"><c r="A2" t="s"><v>0</v></c></row>', shared=[str(n) for n in range(1000)]
    )
    assert read(content) == [(2, ("0", "", ""))]


def test_a_workbook_whose_sheet_part_is_missing_is_refused_in_chinese():
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(hostile.book(HEADERS)))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info, source.read(info))
    assert refused(target.getvalue()) == "文件中没有工作表。"
