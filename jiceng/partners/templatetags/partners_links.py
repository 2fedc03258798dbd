"""共驻共建 on a 资源清单 item's page: the agreements whose committed resources include the item."""

from django import template

from jiceng.partners.models import Agreement

register = template.Library()


@register.simple_tag
def agreements_of(item, user) -> list[tuple[Agreement, bool]]:
    """(agreement, visible to ``user``) pairs (two queries, whatever the number)."""
    rows = list(item.agreements.only("id", "title", "area_path", "org_path"))
    if not rows:
        return []
    seen = set(Agreement.objects.visible_to(user).filter(pk__in=[r.pk for r in rows]).values_list("pk", flat=True))
    return [(r, r.pk in seen) for r in rows]
