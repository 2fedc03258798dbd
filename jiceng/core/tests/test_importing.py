"""The import skeleton (core.importing.RowImporter) with a minimal importer of its own."""

import io

import openpyxl
import pytest
from django.db import IntegrityError

from jiceng.accounts.models import AuditLog
from jiceng.core.excel import INT, TEXT, Column, RowError, Spec
from jiceng.core.importing import RowImporter

SPEC = Spec(
    key="scores",
    title="分数",
    columns=(
        Column("姓名", "name", TEXT, required=True, max_length=10),
        Column("分数", "score", INT, min_value=0, max_value=100),
    ),
)


def workbook(rows, headers=("姓名", "分数")) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "分数"
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


class ScoreImporter(RowImporter):
    """Only its own steps: a row check (a name once) and the write."""

    spec = SPEC
    object_type = "tests.score"
    audit_action = "import_scores"
    written: list = []

    def prepare(self, reader):
        from jiceng.core.excel import RowConverter

        self.convert = RowConverter(SPEC).convert
        self.names: set[str] = set()
        return reader.rows()

    def check(self, row, bad):
        number, values = row
        data = self.convert(number, values, bad, {})
        if data["name"] in self.names:
            bad.append(RowError(number, "姓名", data["name"], "重复"))
        self.names.add(data["name"])
        self.area_paths.add("3201")
        return (data["name"], data["score"])

    def write(self, items):
        if any(name == "冲突" for name, _ in items):
            raise IntegrityError("duplicate key")
        type(self).written = list(items)

    def audit_summary(self):
        return f"导入分数 {self.count} 条"

    def done_message(self):
        return f"已导入 {self.count} 条。"


@pytest.fixture(autouse=True)
def _clear():
    ScoreImporter.written = []


@pytest.mark.django_db
def test_good_file_is_written_audited_and_counted():
    result = ScoreImporter(None, filename="分数.xlsx").run(workbook([("张三", 90), ("李四", 80)]))
    assert result.ok and result.created == 2 and result.total == 2
    assert result.message == "已导入 2 条。"
    assert ScoreImporter.written == [("张三", 90), ("李四", 80)]
    log = AuditLog.objects.get(action="import_scores")
    assert (log.object_type, log.object_id, log.object_repr, log.area_path) == (
        "tests.score",
        "excel",
        "导入分数 2 条",
        "3201",
    )
    assert log.after == {"rows": 2, "file": "分数.xlsx"}


@pytest.mark.django_db
def test_one_bad_row_writes_nothing_and_every_bad_cell_is_reported():
    result = ScoreImporter(None).run(workbook([("张三", 90), ("张三", 101), ("王五", 70)]))
    assert not result.ok and result.created == 0 and result.total == 3
    assert [(e.row, e.column, e.reason) for e in result.errors.preview] == [
        (3, "分数", result.errors.preview[0].reason),
        (3, "姓名", "重复"),
    ]
    assert ScoreImporter.written == [] and not AuditLog.objects.exists()


@pytest.mark.django_db
def test_unreadable_and_empty_files_are_refused_whole():
    result = ScoreImporter(None).run(io.BytesIO(b"not excel"))
    assert not result.ok and result.message and result.errors.count == 1
    result = ScoreImporter(None).run(workbook([("示例：张三", 90)]))  # only the template's example row
    assert result.message == "文件中没有数据行。" and result.errors.count == 1


@pytest.mark.django_db
def test_a_write_conflict_is_reported_when_the_importer_names_it_and_raised_otherwise():
    with pytest.raises(IntegrityError):
        ScoreImporter(None).run(workbook([("冲突", 1)]))

    class Named(ScoreImporter):
        conflict_message = "与他人同时写入的记录冲突，整个文件未导入。"

    result = Named(None).run(workbook([("冲突", 1)]))
    assert result.message == Named.conflict_message and result.created == 0
    assert not AuditLog.objects.exists()
