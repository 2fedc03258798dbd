"""Helpers shared by the org pages."""

from django.shortcuts import render

from jiceng.areas.models import Area
from jiceng.core.scope import holds
from jiceng.orgs import services
from jiceng.orgs.models import Org, Post

PAGE_SIZE = 50
MEMBER_CHOICES_LIMIT = 300
POST_ORDER = {p.value: i for i, p in enumerate(Post)}


def members_url(org: Org) -> str:
    """The roster filtered to an org's subtree (built by the members app)."""
    return f"/members/?org={org.code}"


def crumbs(user, org: Org) -> list[Org]:
    """Ancestors the user may see, root first, then the org itself."""
    codes = services.ancestor_org_codes(org.code)
    visible = Org.objects.visible_to(user).filter(code__in=codes).only("code", "name").order_by("code") if codes else []
    return [*visible, org]


def form_page(request, form, *, title, org=None, cancel_url, submit="保存"):
    return render(
        request,
        "orgs/org_form.html",
        {
            "form": form,
            "title": title,
            "org": org,
            "org_crumbs": crumbs(request.user, org) if org is not None else [],
            "cancel_url": cancel_url,
            "submit": submit,
        },
    )


def add_service_error(form, exc: services.OrgError, fields=()) -> None:
    field = exc.code if exc.code in fields and exc.code in form.fields else None
    form.add_error(field, exc.messages[0] if exc.messages else str(exc))


def may_place(user, action: str, *, area: Area | None, parent: Org | None, model=Org) -> bool:
    """Whether ``user`` may ``action`` a new row anchored at ``area`` (and, for orgs, under
    ``parent``): so nothing is created outside the creator's own scope."""
    return holds(user, f"orgs.{action}_{model._meta.model_name}", areas=[area], orgs=[parent])
