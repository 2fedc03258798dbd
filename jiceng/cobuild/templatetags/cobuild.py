"""``{% cobuild_need_card appeal %}``: on a 民呼我应 request's page, the community's button that
turns the request into a need on its list (or the link to the need it already became)."""

from django import template

from jiceng.areas.models import Level, code_at_level
from jiceng.core.scope import scope_for

register = template.Library()


@register.inclusion_tag("cobuild/_need_card.html", takes_context=True)
def cobuild_need_card(context, appeal):
    request = context.get("request")
    user = getattr(request, "user", None)
    community = code_at_level(getattr(appeal, "area_path", "") or "", Level.COMMUNITY)
    from jiceng.cobuild.models import Item, ItemStatus
    from jiceng.cobuild.permissions import ITEM_ADD

    if user is None or not community or not scope_for(user, ITEM_ADD).covers(community):
        return {"show": False}
    need = Item.objects.filter(source_appeal_id=appeal.pk).exclude(status=ItemStatus.CLOSED).only("id", "title").first()
    return {"show": True, "appeal": appeal, "need": need}
