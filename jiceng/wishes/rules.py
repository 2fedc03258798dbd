"""微心愿's rules with numbers (seed 003), city-overridable through ``core.Rule``."""

from jiceng.core.rules import Integer, get_rule, register

register(
    "wishes.photo_max_bytes",
    "微心愿送达照片的最大字节数",
    8 * 1024 * 1024,
    "本平台规则：与组织生活会议附件相同的手机照片上限（8 MB，[U]）。",
    type=Integer(min_value=100 * 1024, max_value=50 * 1024 * 1024),
)


def photo_max_bytes() -> int:
    return get_rule("wishes.photo_max_bytes")
