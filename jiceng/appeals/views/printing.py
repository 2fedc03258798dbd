"""The printed 工单 of a request (A4 PDF through :mod:`jiceng.core.pdf`): its fields and timeline.

Staff print what their page shows: the reporter's name and phone as the role may see them
(:func:`services.display_reporter`), and the internal steps only when they see the request as
staff. Someone who sees the request only as its reporter prints the public timeline.
"""

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET

from jiceng.appeals import services
from jiceng.appeals.models import Appeal, AppealEvent, get_appeal_for_user
from jiceng.appeals.permissions import APPEAL_VIEW
from jiceng.areas.models import Area
from jiceng.core.pdf import pdf_response
from jiceng.core.scope import scope_for


def _area_text(appeal: Appeal) -> str:
    """District to building, e.g. ``玄武区 梅园新村街道 … 3栋`` (the city itself left out)."""
    chain = [*Area.objects.ancestors_of(appeal.area).only("name"), appeal.area]
    return " ".join(area.name for area in chain[1:] or chain)


@login_required
@require_GET
def appeal_ticket_pdf(request, pk):
    user = request.user
    appeal = get_appeal_for_user(user, pk)
    events = AppealEvent.objects.filter(appeal=appeal).only("at", "kind", "actor_name", "note", "appeal_id", "public")
    if scope_for(user, APPEAL_VIEW).empty:
        events = events.filter(public=True)
    name, phone = services.display_reporter(user, appeal)
    context = {
        "appeal": appeal,
        "area_text": _area_text(appeal),
        "events": list(events.order_by("at", "id")),
        "reporter_name": name,
        "reporter_phone": phone,
    }
    return pdf_response(request, "print/appeal_ticket.html", context, f"工单-{appeal.number or appeal.pk}.pdf")
