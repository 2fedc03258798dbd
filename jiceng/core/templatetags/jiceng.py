from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def duration_zh(value) -> str:
    """``timedelta(minutes=90)`` → ``1 小时 30 分钟``."""
    if not isinstance(value, timedelta):
        return str(value or "")
    minutes = int(value.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} 天" if days else "", f"{hours} 小时" if hours else "", f"{minutes} 分钟" if minutes else ""]
    return " ".join(p for p in parts if p) or "不到 1 分钟"
