"""The limits every Excel import reads with, as city rules (see ``jiceng.core.excel.limits``).

An upload is refused, with the reason in Chinese on the job page, when it exceeds any of them:
rows (each kind names its own rule, :data:`MAX_ROWS` by default), columns (the template's columns
and the headers an export adds, plus :data:`EXTRA_COLUMNS`), the length of one cell, the size of
the file once inflated, the size of its shared-string part, and the ratio of inflated to
compressed size of any part. The declared sheet size (``<dimension>``) is never used.
"""

from jiceng.core.excel import ReadLimits, Spec
from jiceng.core.excel.limits import MB
from jiceng.core.rules import Integer, get_rule, register

MAX_ROWS = "excel.max_rows"
EXTRA_COLUMNS = "excel.extra_columns"
MAX_CELL_CHARS = "excel.max_cell_chars"
MAX_UNCOMPRESSED_MB = "excel.max_uncompressed_mb"
MAX_SHARED_STRINGS_MB = "excel.max_shared_strings_mb"
MAX_RATIO = "excel.max_compression_ratio"

register(
    MAX_ROWS,
    "Excel 导入文件的最大数据行数（未单独规定的名册）",
    100_000,
    "读取上限，防止恶意或出错的文件耗尽服务器内存（例如只在第 1,048,576 行有一个单元格的文件）；"
    "党员名册另有规则 members.import_max_rows。",
    type=Integer(min_value=1, max_value=1_048_576),
)
register(
    EXTRA_COLUMNS,
    "Excel 导入文件在模板列数之外允许的列数",
    20,
    "单位常在模板旁加“序号”“备注”等列；超出模板列数加此数的单元格（含只设置了格式的单元格）不予读取，"
    "防止只在 CV 列等远处有一个单元格的文件耗尽内存。",
    type=Integer(min_value=0, max_value=200),
)
register(
    MAX_CELL_CHARS,
    "Excel 导入文件单个单元格的最大字符数",
    32_767,
    "Excel 本身规定一个单元格最多 32,767 个字符；更长的内容只能是构造的文件（如 200 MB 的共享字符串）。",
    type=Integer(min_value=100, max_value=32_767),
)
register(
    MAX_UNCOMPRESSED_MB,
    "Excel 导入文件解压后的最大大小（MB）",
    2048,
    "xlsx 是压缩包；56 万行的党员名册解压后约 700 MB。超过此值的文件拒绝导入，防止耗尽磁盘和处理时间。",
    type=Integer(min_value=16, max_value=16_384),
)
register(
    MAX_SHARED_STRINGS_MB,
    "Excel 导入文件共享字符串部分解压后的最大大小（MB）",
    256,
    "Excel 把文字单元格存于共享字符串表，读取时整表载入内存；56 万行的名册约 60 MB，此上限留出数倍余量。",
    type=Integer(min_value=1, max_value=4096),
)
register(
    MAX_RATIO,
    "Excel 导入文件压缩比上限（解压后 / 压缩时）",
    100,
    "正常的 xlsx 压缩比在 5—20 倍；“压缩炸弹”可达上千倍。与 Apache POI（ZipSecureFile，最小压缩率 0.01）"
    "的默认值相同；小于 100 KB 的部分不检查。",
    type=Integer(min_value=10, max_value=10_000),
)


def read_limits(spec: Spec, max_rows_rule: str = MAX_ROWS) -> ReadLimits:
    """The limits to read an import of ``spec`` with, from the city's rules."""
    return ReadLimits.for_spec(
        spec,
        extra_columns=get_rule(EXTRA_COLUMNS),
        max_rows=get_rule(max_rows_rule),
        max_cell_chars=get_rule(MAX_CELL_CHARS),
        max_uncompressed=get_rule(MAX_UNCOMPRESSED_MB) * MB,
        max_shared_strings=get_rule(MAX_SHARED_STRINGS_MB) * MB,
        max_ratio=get_rule(MAX_RATIO),
    )
