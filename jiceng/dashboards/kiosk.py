"""The 大屏 (kiosk): its JSON, and the read-only share links a wall screen's browser opens.

The screen shows aggregates only: the node's headline figures, its children ranked, today's
request counters and a map (imported boundaries) or a treemap of the area tree. No record, no
person: ``kiosk_data`` builds its JSON from :func:`jiceng.dashboards.services.build` (figures per
node) and two counts, never from rows of people (tests/test_kiosk_pii checks the rendered page).

A share link is a :class:`~jiceng.dashboards.models.ShareLink` row named by a signed token
(``django.core.signing``, its own salt): a forged or altered token fails the signature (404); a
revoked or expired link shows a Chinese page (410). The screen shows what the link's creator may see
there, checked again on each request: a creator who loses the right, or whose account is disabled,
ends the link.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.apps import apps
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from jiceng.accounts.services import audit
from jiceng.core.metrics import Period, format_value, tree_model
from jiceng.core.paths import subtree_q
from jiceng.core.scope import scope_for

from .models import Boundary, ShareLink
from .permissions import SHARE_ADD
from .rules import kiosk_rank_rows, refresh_seconds, share_max_days
from .services import build, find_node

SALT = "jiceng.dashboards.kiosk"
APPEAL_VIEW = "appeals.view_appeal"
TREEMAP_NODES = 400  # the treemap shows the node's subtree down to this many nodes (two levels)


class ShareError(Exception):
    """Why a share link was not made (a Chinese message)."""


class LinkGone(Exception):
    """An expired or revoked link (the page says which)."""

    def __init__(self, link: ShareLink):
        super().__init__(link.status)
        self.link = link


# --------------------------------------------------------------------------- data


def today_counts(user, tree: str, code: str) -> dict | None:
    """Requests received today in the node's area subtree, and how many of them are already closed.

    Read from the requests themselves, but only today's (the ``created_at`` index bounds it to one
    day's intake, whatever the city's history). None when the user may not see requests there.
    """
    if tree != "areas" or not apps.is_installed("jiceng.appeals"):
        return None
    if not scope_for(user, APPEAL_VIEW).covers(code):
        return None
    from jiceng.appeals.models import Appeal, Status

    start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    today = Appeal.objects.filter(subtree_q(code, "area_path"), created_at__gte=start)
    received = today.count()
    closed = today.filter(status=Status.CLOSED).count()
    return {"received": received, "closed": closed}


def _map(tree: str, node, children: list[dict]) -> dict:
    """Boundaries of the children when imported (an ECharts map), else a treemap of the subtree."""
    codes = [c["code"] for c in children]
    if tree == "areas" and codes:
        shapes = list(Boundary.objects.filter(code__in=codes).values_list("code", "name", "geometry"))
        if shapes:
            names = {c["code"]: c["name"] for c in children}
            return {
                "kind": "geo",
                "geojson": {
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "properties": {"name": names.get(code) or name, "code": code},
                            "geometry": geometry,
                        }
                        for code, name, geometry in shapes
                    ],
                },
            }
    return {"kind": "treemap"}


def _treemap(user, tree: str, node, children: list[dict], rank) -> list[dict]:
    """The children sized by the ranked figure, each with its own visible children (two levels)."""
    model, entry = tree_model(tree)
    grand: dict[str, list[dict]] = {}
    if children:
        rows = (
            model.objects.visible_to(user)
            .filter(**{f"parent__{entry.code_field}__in": [c["code"] for c in children]})
            .order_by(entry.code_field)
            .values_list(f"parent__{entry.code_field}", entry.code_field, entry.name_field)[:TREEMAP_NODES]
        )
        for parent, code, name in rows:
            grand.setdefault(parent, []).append({"name": name, "code": code, "value": 1})
    result = []
    for child in children:
        value = child["figures"].get(rank.key) if rank else None
        if isinstance(value, str):  # a masked small count ("<3"): no area that would tell it
            value = None
        item = {"name": child["name"], "code": child["code"], "value": max(float(value or 0), 0.0) or 1}
        if grand.get(child["code"]) and not (rank and rank.percent):
            # Without a figure per grandchild, split the child's figure evenly so the area adds up.
            share = item["value"] / len(grand[child["code"]])
            item["children"] = [{**g, "value": share} for g in grand[child["code"]]]
        result.append(item)
    return result


def _rounded(value):
    """The screen's numbers to 4 decimals (a share 0.0139 is 1.39 %): what a wall shows, and no
    float's long tail of digits in the page that reads like an ID or phone number."""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value


def small(metric, value) -> str | None:
    """``"<N"`` when ``value`` is a count below the metric's ``min_cell`` (a figure that could single a
    person out on a wall screen or a share link, docs/metrics.md "Masking"), else None. Zero is
    masked too: the screen never says which small cells are empty and which are not."""
    if not metric.min_cell or metric.percent or value is None or isinstance(value, str):
        return None
    return f"<{metric.min_cell}" if value < metric.min_cell else None


HIDDEN = "—"  # a figure hidden because another one is "<N" (secondary suppression)


def _masked(metrics: dict, figures: dict) -> dict:
    """A node's figures with each small count replaced by its ``"<N"`` text."""
    return {key: small(metrics[key], value) or value if key in metrics else value for key, value in figures.items()}


class _Suppression:
    """What the 大屏 hides beyond the small counts themselves (docs/metrics.md "Masking"): the other
    counts of a ``cell_group`` where one is "<N" (total − the rest would tell it), a share whose
    numerator is hidden (share × total would), a share whose ``base`` (denominator) is below the
    share's ``min_cell`` or not on the board (the rate of one member tells their status), and,
    among the children, a second child where only one is hidden for a figure (the node's figure −
    the shown children's would; for a share over a base, rate × base is such a count)."""

    def __init__(self, metrics):
        self.small = {m.key: m for m in metrics if m.min_cell and not m.percent}
        self.groups: dict[str, list[str]] = {}
        for m in metrics:
            if m.cell_group:
                self.groups.setdefault(m.cell_group, []).append(m.key)
        self.shares = {m.key: m.share_of for m in metrics if m.share_of}
        self.bases = {m.key: (m.base, m.min_cell) for m in metrics if m.base and m.min_cell}

    def node(self, figures: dict) -> dict:
        figures = _masked(self.small, figures)
        for keys in self.groups.values():
            if any(isinstance(figures.get(k), str) for k in keys):
                figures.update({k: HIDDEN for k in keys if k in figures and not isinstance(figures[k], str)})
        for share, count in self.shares.items():
            if share in figures and isinstance(figures.get(count), str):
                figures[share] = HIDDEN
        for share, (base, least) in self.bases.items():
            # Fail closed: a base the board does not carry (not the viewer's to see) hides the share.
            count = figures.get(base)
            if isinstance(figures.get(share), int | float) and not (isinstance(count, int | float) and count >= least):
                figures[share] = HIDDEN
        return figures

    def siblings(self, parent: dict, children: list[dict]) -> None:
        """Where exactly one child hides a figure the parent shows, hide the smallest other one too
        (in place: each child's ``figures``). Repeated until stable, as hiding one may expose a group."""
        # Counts add up; a share does not, unless its base is shown (rate × base is a count).
        keys = set(self.small) | {k for keys in self.groups.values() for k in keys} | set(self.bases)
        changed = True
        while changed:
            changed = False
            for key in sorted(keys):
                if isinstance(parent.get(key), str):
                    continue
                hidden = [c for c in children if isinstance(c["figures"].get(key), str)]
                shown = [c for c in children if isinstance(c["figures"].get(key), int | float)]
                if len(hidden) == 1 and shown:
                    smallest = min(shown, key=lambda c: (c["figures"][key], c["code"]))
                    smallest["figures"][key] = HIDDEN
                    smallest["figures"].update(self.node(smallest["figures"]))
                    changed = True


def _mask_board(board) -> dict:
    """The board's JSON with every count below ``min_cell`` as ``"<N"`` and what would tell it
    hidden as "—" (:class:`_Suppression`): the node's figures, each child's, the trend; children
    ranked by a hidden metric keep the shown ones first (highest first) and list the hidden ones
    after them in code order, so their order reveals nothing."""
    data = board.as_json()
    rules = _Suppression(board.metrics)
    if not (rules.small or rules.bases):
        return data
    data["figures"] = rules.node(data["figures"])
    children = [{**c, "figures": rules.node(c["figures"])} for c in data["children"]]
    rules.siblings(data["figures"], children)
    if data["rank"]:
        rank = data["rank"]
        shown = [c for c in children if not isinstance(c["figures"].get(rank), str)]
        hidden = sorted((c for c in children if isinstance(c["figures"].get(rank), str)), key=lambda c: c["code"])
        if hidden:
            children = shown + hidden
    data["children"] = children
    series = data["trend"]["series"]
    months = max((len(v) for v in series.values()), default=0)
    for i in range(months):
        month = rules.node({key: values[i] for key, values in series.items() if i < len(values)})
        for key, value in month.items():
            series[key][i] = value
    return data


def kiosk_data(user, tree: str, code: str, period: Period, rank_key: str = "") -> dict:
    """Everything the 大屏 draws, for ``user`` (the viewer, or a share link's creator).

    Shown outside the roster's permission (a wall, a share link), so counts below a metric's
    ``min_cell`` are ``"<N"`` everywhere in it, never the number (:func:`_mask_board`)."""
    from .choice import chosen_keys, in_reading_order

    board = build(user, tree, code, period, rank_key)
    data = _mask_board(board)
    rows = kiosk_rank_rows()
    # The big figures: those of the user's 指标设置 (for a share link, its creator's), headline first.
    chosen, _own = chosen_keys(user, tree, board.node, board.metrics)
    shown = in_reading_order(tree, [m for m in board.metrics if m.key in chosen])
    figures = [
        {
            "key": m.key,
            "label": m.label,
            "unit": "" if m.percent else m.unit,
            "group": m.group,
            "value": data["figures"].get(m.key),
            "text": shown_value
            if isinstance(shown_value := data["figures"].get(m.key), str)
            else format_value(m, board.figures.get(m.key)),
        }
        for m in shown
    ]
    now = timezone.localtime()
    return _rounded(
        {
            "tree": tree,
            "node": data["node"],
            "period": data["period"],
            "metrics": data["metrics"],
            "rank": data["rank"],
            "figures": figures,
            "ranking": [
                {
                    "code": c["code"],
                    "name": c["name"],
                    "value": c["figures"].get(data["rank"]) if data["rank"] else None,
                }
                for c in data["children"][:rows]
            ],
            "children": data["children"],
            "trend": data["trend"],
            "today": today_counts(user, tree, board.node.code),
            "map": _map(tree, board.node, data["children"]),
            "treemap": _treemap(user, tree, board.node, data["children"], board.rank),
            "updated_at": now.strftime("%H:%M:%S"),
            "updated_iso": now.isoformat(),
            "refresh": refresh_seconds(),
        }
    )


# --------------------------------------------------------------------------- share links


def token_for(link: ShareLink) -> str:
    """The link's token: the same every time (no timestamp: the row's ``expires_at`` rules)."""
    return signing.Signer(salt=SALT).sign_object({"id": link.pk})


def resolve(token: str) -> ShareLink:
    """The live link a token names. A forged token or an unknown id: ``ShareLink.DoesNotExist``
    (the view answers 404); an expired or revoked link: :class:`LinkGone` (410)."""
    try:
        payload = signing.Signer(salt=SALT).unsign_object(token)
        link_id = int(payload["id"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ShareLink.DoesNotExist from None
    link = ShareLink.objects.select_related("created_by").get(pk=link_id)
    if not link.active or not link.created_by.is_active:
        raise LinkGone(link)
    return link


def create_share(actor, tree: str, code: str, days: int, note: str = "") -> ShareLink:
    """A link to ``code``'s 大屏 for ``days`` days (at most the rule ``dashboards.share_max_days``)."""
    longest = share_max_days()
    if not 1 <= days <= longest:
        raise ShareError(f"有效期应为 1 至 {longest} 天。")
    node = find_node(actor, tree, code)  # 404 outside the actor's scope
    path = getattr(node, "area_path", "") if tree == "orgs" else node.code
    scope = scope_for(actor, SHARE_ADD)
    allowed = scope.covers_any(areas=(path,), orgs=(node.code,)) if tree == "orgs" else scope.covers(node.code)
    if not allowed:
        raise PermissionDenied("您没有分享该节点大屏的权限。")
    now = timezone.now()
    with transaction.atomic():
        link = ShareLink.objects.create(
            tree=tree,
            code=node.code,
            node_name=node.name,
            note=note.strip()[:100],
            created_by=actor,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
        audit(actor, "create_sharelink", link, after={"tree": tree, "code": node.code, "days": days}, area_path=path)
    return link


def revoke_share(actor, link_id: int) -> ShareLink:
    """Revoke a link: its creator, or a holder of the share right over its node."""
    with transaction.atomic():
        link = ShareLink.objects.select_for_update().filter(pk=link_id).first()
        if link is None:
            raise ShareLink.DoesNotExist
        if link.created_by_id != actor.pk and not scope_for(actor, SHARE_ADD).covers(link.code):
            raise ShareLink.DoesNotExist  # not theirs to see: 404
        if link.revoked_at is None:
            link.revoked_at = timezone.now()
            link.revoked_by = actor
            link.save(update_fields=["revoked_at", "revoked_by"])
            audit(actor, "revoke_sharelink", link, after={"revoked": True}, area_path=link.code)
    return link


def links_for(user):
    """The links the user created, newest first (the list on the 大屏 share page)."""
    return ShareLink.objects.filter(created_by=user).order_by("-created_at")[:50]
