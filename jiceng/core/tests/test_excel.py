"""The generic Excel layer: cells, dates, headers, file checks, the template and the writers."""

import io
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from jiceng.core.excel import (
    BOOL,
    CHOICE,
    CODE,
    DATE,
    DECIMAL,
    ID_NUMBER,
    INT,
    PHONE,
    CellError,
    Column,
    ErrorCollector,
    ExcelError,
    RowConverter,
    RowError,
    SheetReader,
    Spec,
    XlsxStreamWriter,
    cell_text,
    column_letter,
    normalise_header,
    parse_bool,
    parse_code,
    parse_date,
    parse_decimal,
    parse_id_text,
    parse_int,
    parse_phone,
    write_error_report,
    write_rows,
    write_template,
)

SPEC = Spec(
    key="people",
    title="人员",
    columns=(
        Column("姓名", "name", required=True, max_length=10, example="示例：张三"),
        Column(
            "公民身份号码", "id_number", ID_NUMBER, required=True, aliases=("身份证号",), example="11010519491231002X"
        ),
        Column("出生日期", "birth", DATE, example="1949-12-31"),
        Column("状态", "status", CHOICE, required=True, choices=(("full", "正式党员"), ("probationary", "预备党员"))),
        Column("在职", "employed", BOOL),
        Column("学时", "hours", INT, min_value=0, max_value=100, default=0),
        Column("基数", "base", DECIMAL, min_value=0),
        Column("编码", "code", CODE),
        Column("手机号", "phone", PHONE),
    ),
    notes=("测试说明一行。",),
    ignore_headers=("所在组织",),
)


def xlsx(rows, title="人员") -> io.BytesIO:
    """A workbook written by openpyxl (as Excel would: shared strings, date cells)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "test.xlsx"
    return buffer


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "raw",
    [
        "2024-01-05",
        "2024/1/5",
        "2024年1月5日",
        "2024.1.5",
        "2024-1-5",
        " 2024 年 1 月 5 日 ",
        "20240105",
        "2024-01-05 00:00:00",
        45296,
        45296.0,
        45296.75,  # a date-time serial: the day counts
        "45296",
        date(2024, 1, 5),
        datetime(2024, 1, 5, 13, 30),
    ],
)
def test_every_accepted_date_form(raw):
    assert parse_date(raw) == date(2024, 1, 5)


def test_serial_numbers_follow_excel_1900_system():
    assert parse_date(61) == date(1900, 3, 1)  # from here on (after Lotus's phantom 1900-02-29) exact
    assert parse_date(36526) == date(2000, 1, 1)
    assert parse_date(2958465) == date(9999, 12, 31)


@pytest.mark.parametrize("raw", ["2024-13-01", "2023-02-29", "2024年2月30日"])
def test_impossible_dates_are_refused(raw):
    with pytest.raises(CellError, match="不存在"):
        parse_date(raw)


@pytest.mark.parametrize("raw", ["昨天", "1/5/2024", "2024-01", True, -3, 0, 3_000_000])
def test_unreadable_dates_explain_the_accepted_forms(raw):
    with pytest.raises(CellError, match=re.escape("2024-01-05、2024/1/5、2024年1月5日 或 2024.1.5")):
        parse_date(raw)


def test_empty_date_is_none():
    assert parse_date(None) is None
    assert parse_date("  ") is None


# --------------------------------------------------------------------------- other cells


def test_id_number_typed_as_a_number_has_lost_digits():
    with pytest.raises(CellError, match="文本"):
        parse_id_text(1.1010519491231002e17)
    assert parse_id_text(110105491231002.0) == "110105491231002"  # 15 digits survive as a number
    assert parse_id_text(" 11010519491231002x ") == "11010519491231002x"


def test_numbers_typed_into_text_columns_read_as_typed():
    assert parse_code(1001001.0) == "1001001"
    assert parse_code(" 001001 ") == "001001"
    with pytest.raises(CellError, match="数字"):
        parse_code("00A1")
    assert parse_phone(13812341234.0) == "13812341234"
    assert parse_phone("025-83001234") == "025-83001234"
    with pytest.raises(CellError, match="电话号码"):
        parse_phone("12345")
    assert cell_text(24.0) == "24"
    assert cell_text(date(2024, 1, 5)) == "2024-01-05"
    assert cell_text(None) == ""


def test_numbers_and_yes_no():
    assert parse_int(24.0) == 24
    assert parse_int("24") == 24
    with pytest.raises(CellError, match="整数"):
        parse_int(2.5)
    with pytest.raises(CellError, match="不能大于100"):
        parse_int(101, 0, 100)
    assert parse_decimal(5000) == Decimal("5000.00")
    assert parse_decimal("5,400.5") == Decimal("5400.50")
    with pytest.raises(CellError, match="2位小数"):
        parse_decimal("1.234")
    with pytest.raises(CellError, match="不能小于0"):
        parse_decimal(-1, min_value=0)
    for yes in ("是", "Y", "true", 1, True, "√"):
        assert parse_bool(yes) is True
    for no in ("否", "N", "false", 0, False, ""):
        assert parse_bool(no) is False
    with pytest.raises(CellError, match="是"):
        parse_bool("也许")


def test_row_converter_reports_each_bad_cell_with_row_column_value_reason():
    converter = RowConverter(SPEC)
    errors: list[RowError] = []
    data = converter.convert(7, ("", "X", "2024-02-30", "党员", "也许", 1.5, "-1", "A", "123"), errors)
    assert [(e.row, e.column) for e in errors] == [
        (7, "姓名"),
        (7, "出生日期"),
        (7, "状态"),
        (7, "在职"),
        (7, "学时"),
        (7, "基数"),
        (7, "编码"),
        (7, "手机号"),
    ]
    assert errors[0].reason == "必填项为空"
    assert errors[2].value == "党员" and "正式党员、预备党员" in errors[2].reason
    assert data["hours"] == 0  # the column default stands in for a bad cell
    ok: list[RowError] = []
    data = converter.convert(8, ("张三", "x", date(2020, 1, 1), "预备党员", "是", 24, 5000, "001", None), ok)
    assert ok == []
    assert data == {
        "name": "张三",
        "id_number": "x",
        "birth": date(2020, 1, 1),
        "status": "probationary",
        "employed": True,
        "hours": 24,
        "base": Decimal("5000.00"),
        "code": "001",
        "phone": "",
    }


# --------------------------------------------------------------------------- reading files


def test_rows_keyed_by_the_templates_headers():
    source = xlsx(
        [
            ["人员名单（2024年）"],  # a title row above the header is common
            [],
            ["序号", "身份证号", "姓名*", "状态", "出生日期", "所在组织"],
            [1, "11010519491231002X", "张三", "正式党员", date(1949, 12, 31), "某支部"],
            [],
            [2, "440524188001010014", "李四", "预备党员", None, "某支部"],
        ]
    )
    reader = SheetReader(source, SPEC)
    assert reader.header_row == 3
    assert reader.total == 3  # the blank row is counted, then skipped
    rows = list(reader.dict_rows())
    assert [n for n, _ in rows] == [4, 6]
    assert rows[0][1] == {
        "姓名": "张三",
        "公民身份号码": "11010519491231002X",
        "出生日期": date(1949, 12, 31),
        "状态": "正式党员",
    }
    values = next(iter(SheetReader(xlsx([["姓名", "公民身份号码", "状态"], ["王五", "x", "正式党员"]]), SPEC).rows()))
    assert values == (2, ("王五", "x", None, "正式党员", None, None, None, None, None))


def test_example_row_and_blank_rows_are_skipped():
    source = xlsx(
        [["姓名", "公民身份号码", "状态"], ["示例：张三", "11010519491231002X", "正式党员"], ["  ", None, ""]]
    )
    reader = SheetReader(source, SPEC)
    assert list(reader.rows()) == []


def test_wrong_headers_are_reported_by_name():
    source = xlsx([["名字", "身份证", "状态", "状态", "手机"], ["张三", "1", "正式党员", "", ""]])
    with pytest.raises(ExcelError) as caught:
        SheetReader(source, SPEC)
    message = caught.value.message
    assert "缺少必填列：姓名、公民身份号码" in message
    assert "无法识别的列：名字、身份证、手机" in message
    assert "重复的列：状态" in message
    reasons = {(e.column, e.reason) for e in caught.value.errors}
    assert ("姓名", "缺少必填列") in reasons
    assert ("名字", "无法识别的列名，请使用模板中的列名") in reasons
    assert all(e.row == 1 for e in caught.value.errors)


def test_a_sheet_without_a_header_row():
    with pytest.raises(ExcelError, match="找不到表头行"):
        SheetReader(xlsx([["a", "b"], [1, 2]]), SPEC)


def test_empty_files_and_empty_sheets():
    empty = io.BytesIO(b"")
    with pytest.raises(ExcelError, match="空的"):
        SheetReader(empty, SPEC)
    with pytest.raises(ExcelError, match="没有任何内容"):
        SheetReader(xlsx([]), SPEC)
    with pytest.raises(ExcelError, match="只有表头"):
        SheetReader(xlsx([["姓名", "公民身份号码", "状态"]]), SPEC)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        ("姓名,公民身份号码\n张三,1\n".encode(), "people.csv", "不支持 CSV"),
        (b"\x89PNG\r\n\x1a\n" + b"0" * 100, "photo.xlsx", "文件格式不正确"),
        (b"%PDF-1.4 " + b"0" * 100, "report.pdf", "文件格式不正确"),
    ],
)
def test_files_that_are_not_excel_are_refused_in_chinese(content, name, message):
    source = io.BytesIO(content)
    with pytest.raises(ExcelError, match=message) as caught:
        SheetReader(source, SPEC, name)
    assert "只支持 Excel 文件（.xlsx 或 .xls）" in caught.value.message


def test_zip_files_that_are_not_workbooks_and_broken_xls():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    with pytest.raises(ExcelError, match="不是 Excel 文件"):
        SheetReader(buffer, SPEC, "letter.docx")
    broken_xls = io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(ExcelError, match=re.escape("无法读取该 .xls 文件")):
        SheetReader(broken_xls, SPEC, "old.xls")


def test_the_named_sheet_is_read_when_present(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "说明"
    workbook.active.append(["请看下一页"])
    data = workbook.create_sheet("人员")
    data.append(["姓名", "公民身份号码", "状态"])
    data.append(["张三", "11010519491231002X", "正式党员"])
    path = tmp_path / "book.xlsx"
    workbook.save(path)
    assert [n for n, _ in SheetReader(path, SPEC).rows()] == [2]


# --------------------------------------------------------------------------- the template


def test_template_has_headers_dropdowns_example_and_notes():
    buffer = io.BytesIO()
    write_template(SPEC, buffer)
    buffer.seek(0)
    workbook = openpyxl.load_workbook(buffer)
    assert workbook.sheetnames == ["人员", "选项", "填写说明"]
    sheet = workbook["人员"]
    headers = [c.value for c in sheet[1]]
    assert headers == ["姓名*", "公民身份号码*", "出生日期", "状态*", "在职", "学时", "基数", "编码", "手机号"]
    example = [c.value for c in sheet[2]]
    assert example[0] == "示例：张三" and example[1] == "11010519491231002X"
    assert example[2] == datetime(1949, 12, 31)
    assert sheet["B2"].number_format == "@"  # ID numbers stay text
    validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert validations["D2:D5002"].type == "list"
    assert validations["D2:D5002"].formula1 == "'选项'!$A$2:$A$3"
    options = workbook["选项"]
    assert [options["A2"].value, options["A3"].value] == ["正式党员", "预备党员"]
    assert workbook["选项"].sheet_state == "hidden"
    assert validations["E2:E5002"].formula1 == '"是,否"'
    notes = [row[0] for row in workbook["填写说明"].iter_rows(values_only=True)]
    for header in ("姓名", "公民身份号码", "出生日期", "状态"):
        assert header in notes
    assert "测试说明一行。" in notes
    # And the template itself reads back: the example row is skipped, so it has no rows.
    buffer.seek(0)
    assert list(SheetReader(buffer, SPEC).rows()) == []


# --------------------------------------------------------------------------- writing


def test_stream_writer_round_trips_through_openpyxl_and_calamine(tmp_path):
    path = tmp_path / "out.xlsx"
    aware = datetime(2024, 1, 5, 6, 30, tzinfo=__import__("zoneinfo").ZoneInfo("UTC"))
    rows = [
        [
            "a & b <c>",
            " 前后空格 ",
            "控制\x01字符",
            date(2024, 1, 5),
            aware,
            24,
            2.5,
            Decimal("5400.50"),
            True,
            None,
            "",
        ],
        ["11010519491231002X", "001001", None, None, None, 0, -1, Decimal("0"), False, "末列", None],
    ]
    headers = ["文本", "空格", "控制", "日期", "时间", "整数", "小数", "金额", "是否", "空", "末"]
    assert write_rows(path, "导出/测试", headers, rows, widths=[10] * 11) == 2

    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    assert sheet.title == "导出测试"
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == headers
    assert values[1][:3] == ["a & b <c>", " 前后空格 ", "控制字符"]
    assert values[1][3] == datetime(2024, 1, 5)
    assert values[1][4] == datetime(2024, 1, 5, 14, 30)  # shown in Asia/Shanghai
    assert values[1][5:9] == [24, 2.5, 5400.5, True]
    assert values[2][0:2] == ["11010519491231002X", "001001"]
    assert values[2][9] == "末列"

    calamine = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert calamine[1][3] == date(2024, 1, 5)
    assert calamine[2][9] == "末列"


def test_stream_writer_several_sheets(tmp_path):
    path = tmp_path / "two.xlsx"
    with XlsxStreamWriter(path) as book:
        first = book.sheet("甲", ["列"])
        first.append(["1"])
        second = book.sheet("甲", ["列"])  # same name gets a suffix
        second.append(["2"])
    workbook = openpyxl.load_workbook(path)
    assert len(workbook.sheetnames) == 2
    assert workbook.worksheets[1]["A2"].value == "2"


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]
    assert normalise_header(" 姓名* ") == "姓名"
    assert normalise_header("公民身份号码（必填）") == "公民身份号码"


def test_error_report_and_collector(tmp_path):
    errors = [
        RowError(2, "姓名", "", "必填项为空"),
        RowError(2, "状态", "党员", "应为以下之一"),
        RowError(9, "", "", "x"),
    ]
    path = tmp_path / "errors.xlsx"
    assert write_error_report(path, errors) == 3
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0] == ("行号", "列", "值", "原因")
    assert rows[1] == (2, "姓名", None, "必填项为空")

    collector = ErrorCollector(tmp_path / "collected.xlsx", preview=2)
    assert not collector
    collector.extend(errors)
    assert collector.count == 3 and collector.bad_rows == 2 and collector.truncated
    assert collector.close() == tmp_path / "collected.xlsx"
    assert len(list(openpyxl.load_workbook(tmp_path / "collected.xlsx").active.iter_rows())) == 4
    assert ErrorCollector(tmp_path / "none.xlsx").close() is None


# --------------------------------------------------------------------------- large files in chunks


@pytest.mark.parametrize("writer", ["openpyxl", "stream"])
def test_large_sheets_read_in_chunks_give_the_same_rows(tmp_path, writer):
    """A big xlsx is split into workbooks of N rows for calamine; the rows, their numbers and
    their columns must be exactly those of reading the whole sheet at once."""
    rows = [["花名册"], [], ["序号", "姓名", "公民身份号码", "状态", "出生日期", "手机号"]]
    for i in range(2600):
        name = "" if 1100 <= i < 2300 else f"人员{i}"  # a chunk whose first column is empty
        status = "正式党员" if i % 3 else ""
        rows.append([None, name, f"ID{i:05d}", status, date(1980, 1, 1) if i % 2 else f"1980/1/{i % 28 + 1}", None])
        if i % 500 == 7:
            rows.append([])  # blank rows keep their numbers
    rows.append([None, None, None, None, None, "13800000000"])  # a last column only in the last chunk
    path = tmp_path / "big.xlsx"
    if writer == "openpyxl":
        workbook = openpyxl.Workbook()
        workbook.active.title = "人员"
        for row in rows:
            workbook.active.append(row)
        workbook.save(path)
    else:
        write_rows(path, "人员", rows[0], rows[1:])

    whole = SheetReader(path, SPEC)
    chunked = SheetReader(path, SPEC, chunk_rows=1000)
    assert whole._chunker.whole and not chunked._chunker.whole  # one chunk, then three
    assert chunked.header_row == whole.header_row == 3

    def same(rows):  # an empty cell reads "" inside the range, None outside it
        return [(n, tuple(None if v == "" else v for v in values)) for n, values in rows]

    expected = same(whole.rows())
    assert same(chunked.rows()) == expected
    assert len(expected) == 2601
    assert expected[0][0] == 4 and expected[-1] == (
        2610,
        (None, None, None, None, None, None, None, None, "13800000000"),
    )
    assert abs(chunked.total - whole.total) <= whole.total * 0.2  # an estimate while chunked


# --------------------------------------------------------------------------- the fast paths


# Per column of SPEC: cells a file may hold, good and bad, in every type calamine produces.
_CELLS = {
    "name": ["张三", " 张三", "张三 ", "", "  ", None, "一二三四五六七八九十", "一二三四五六七八九十一", 12.0, 12.5],
    "id_number": ["11010519491231002X", "110105491231002", "x", "", None, 1.1010519491231e17, 110105491231002.0],
    "birth": [
        date(2024, 1, 5),
        datetime(2024, 1, 5, 13, 30),
        "2024/1/5",
        "2024年1月5日",
        "2024-01-05",
        "2024/2/30",  # no such day: refused every time, never remembered
        "2024/13/1",
        "昨天",
        " 2024/1/5",
        "45296",
        45296.0,
        0.0,
        True,
        "",
        " ",
        None,
    ],
    "status": ["正式党员", "full", " 正式党员", "党员", "", None, 1.0],
    "employed": ["是", "否", " 是", "Y", "也许", "", None, 1.0, 2.0, True],
    "hours": [24.0, 24.5, -1.0, 101.0, 0.0, "24", " 24 ", "x", "", None, True, 24],
    "base": [5000.0, 5000.5, 5000.123, -1.0, 1e12, "5,400.5", "abc", "", None, True, 0.0],
    "code": ["001", "0a1", 1.0, 1.5, "", " 001 ", None, "００１"],
    "phone": ["13812341234", "025-83001234", "138 1234 1234", "12345", 13812341234.0, "", None, "１3812341234"],
}


def test_compiled_converter_accepts_and_refuses_exactly_what_the_reference_loop_does():
    """RowConverter.convert (inline fast paths, remembered text dates) against convert_slow (the
    column converters one by one): the same values and the same errors, cell for cell, also when
    a text date comes again after it was remembered (or refused)."""
    import random

    rnd = random.Random(7)
    keys = [c.key for c in SPEC.columns]
    converter = RowConverter(SPEC)
    for number in range(3000):
        values = tuple(rnd.choice(_CELLS[key]) for key in keys)
        fast_errors: list[RowError] = []
        slow_errors: list[RowError] = []
        fast = converter.convert(number, values, fast_errors, {})
        slow = converter.convert_slow(number, values, slow_errors, {})
        assert fast == slow, values
        assert [type(v) for v in fast.values()] == [type(v) for v in slow.values()], values
        assert fast_errors == slow_errors, values


def test_remembered_text_dates_are_bounded(monkeypatch):
    from jiceng.core.excel import converter as excel_converter

    monkeypatch.setattr(excel_converter, "DATE_MEMO_SIZE", 3)
    converter = RowConverter(SPEC)
    for day in range(1, 11):
        errors: list[RowError] = []
        data = converter.convert(2, ("张三", "x", f"2024/1/{day}", "正式党员", "", "", "", "", ""), errors)
        assert data["birth"] == date(2024, 1, day) and errors == []
    errors = []
    converter.convert(3, ("张三", "x", "2024/1/32", "正式党员", "", "", "", "", ""), errors)
    assert [(e.column, e.value) for e in errors] == [("出生日期", "2024/1/32")]


def test_prefetch_yields_in_order_and_raises_the_producers_error_in_turn():
    from jiceng.core.excel.reading import _Prefetch

    assert list(_Prefetch(iter(range(5)))) == [0, 1, 2, 3, 4]

    def failing():
        yield "a"
        yield "b"
        raise ExcelError("第三块坏了")

    seen = []
    with pytest.raises(ExcelError, match="第三块坏了"):
        for item in _Prefetch(failing()):
            seen.append(item)
    assert seen == ["a", "b"]


def test_prefetch_runs_one_item_ahead_and_stops_when_closed():
    import threading

    from jiceng.core.excel.reading import _Prefetch

    produced = []
    closed = threading.Event()

    def source():
        try:
            for i in range(100):
                produced.append(i)
                yield i
        finally:
            closed.set()

    prefetch = _Prefetch(source())
    items = iter(prefetch)
    assert next(items) == 0
    assert next(items) == 1
    for _ in range(50):  # give the producer time to run ahead, if it would
        if len(produced) >= 3:
            break
        threading.Event().wait(0.01)
    assert produced == [0, 1, 2]  # the item in use and one more, never further
    prefetch.close()
    assert closed.wait(2)  # the source was closed (the chunker's files are released)
    assert not prefetch._thread.is_alive()


def test_an_abandoned_chunked_read_stops_its_prefetch_thread(tmp_path):
    import threading

    rows = [[f"人员{i}", f"ID{i:05d}", "正式党员"] for i in range(3500)]
    path = tmp_path / "big.xlsx"
    write_rows(path, "人员", ["姓名", "公民身份号码", "状态"], rows)
    before = {t for t in threading.enumerate() if t.name == "excel-prefetch"}
    reader = SheetReader(path, SPEC, chunk_rows=1000)
    iterator = reader.rows()
    for _ in range(1500):  # into the second chunk
        next(iterator)
    iterator.close()
    assert {t for t in threading.enumerate() if t.name == "excel-prefetch"} == before
