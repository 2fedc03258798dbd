"""协商议事 on a 共建清单 item's page: the consultations whose decision became the item."""

from django import template

from jiceng.consult.models import Consultation

register = template.Library()


@register.simple_tag
def consultations_of(item, user) -> list[tuple[Consultation, bool]]:
    """(consultation, visible to ``user``) pairs: a visible one is linked, the others are only named
    by their kind (two queries, whatever the number)."""
    rows = list(item.consultations.only("id", "kind", "title", "held_on", "area_path"))
    if not rows:
        return []
    seen = set(Consultation.objects.visible_to(user).filter(pk__in=[r.pk for r in rows]).values_list("pk", flat=True))
    return [(r, r.pk in seen) for r in rows]
