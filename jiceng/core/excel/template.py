"""Writing an import template (openpyxl: headers, drop-down lists, an example row, notes)."""

from datetime import date

from .spec import BOOL, CHOICE, CODE, DATE, ID_NUMBER, PHONE, TEXT, Spec


def write_template(spec: Spec, stream, validation_rows: int = 5000) -> None:
    """An import template: the data sheet (headers, drop-downs, an example row) and a notes sheet."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new Workbook always starts with one active worksheet
    sheet.title = spec.title
    lists = workbook.create_sheet("选项")
    notes = workbook.create_sheet("填写说明")
    header_font = Font(bold=True)
    required_font = Font(bold=True, color="C00000")
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    example_font = Font(italic=True, color="808080")
    last_row = validation_rows + 2

    list_column = 0
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.header + ("*" if column.required else ""))
        cell.font = required_font if column.required else header_font
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.comment = Comment(
            f"{'必填。' if column.required else ''}{column.help}。{column.note}".strip("。") + "。", "基层"
        )
        sheet.column_dimensions[letter].width = column.width
        example_value = column.example
        if column.kind == DATE and isinstance(example_value, str):
            example_value = date.fromisoformat(example_value)
        example = sheet.cell(row=2, column=index, value=column.display(example_value))
        example.font = example_font
        if column.kind in (CODE, ID_NUMBER, PHONE, TEXT):
            # Text format keeps 18-digit numbers and leading zeros exactly as typed.
            example.number_format = "@"
            for row in range(3, min(last_row, 1002) + 1):
                sheet.cell(row=row, column=index).number_format = "@"
        if column.kind == DATE:
            example.number_format = "yyyy-mm-dd"
        validation = None
        if column.kind == CHOICE:
            list_column += 1
            list_letter = get_column_letter(list_column)
            lists.cell(row=1, column=list_column, value=column.header)
            for offset, label in enumerate(column.labels, start=2):
                lists.cell(row=offset, column=list_column, value=label)
            end = len(column.labels) + 1
            validation = DataValidation(
                type="list",
                formula1=f"'选项'!${list_letter}$2:${list_letter}${end}",
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle="请从下拉列表中选择",
                error=column.help,
            )
        elif column.kind == BOOL:
            validation = DataValidation(
                type="list", formula1='"是,否"', allow_blank=True, showErrorMessage=True, error="请填“是”或“否”"
            )
        if validation is not None:
            validation.prompt = column.help
            validation.promptTitle = column.header
            validation.add(f"{letter}2:{letter}{last_row}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    lists.sheet_state = "hidden"

    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 60
    notes.column_dimensions["D"].width = 40
    notes.append([f"{spec.title}导入模板 · 填写说明"])
    notes["A1"].font = Font(bold=True, size=14)
    for line in (
        "第2行是示例（姓名等首列以“示例”开头），导入时自动忽略，可以保留也可以删除。",
        "列名请勿修改；不需要的可选列可以删除，列的顺序可以调整。标 * 的为必填列。",
        "日期可写作 2024-01-05、2024/1/5、2024年1月5日 或 2024.1.5，也可以是 Excel 日期单元格。",
        "所有行都会先检查；只要有一行有错，整个文件都不会导入。请按错误报告修改后重新上传整个文件。",
        *spec.notes,
    ):
        notes.append([line])
    notes.append([])
    notes.append(["列名", "是否必填", "格式 / 可选值", "说明"])
    for cell in notes[notes.max_row]:
        cell.font = header_font
        cell.fill = header_fill
    for column in spec.columns:
        notes.append([column.header, "必填" if column.required else "可选", column.help, column.note])
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    workbook.save(stream)
