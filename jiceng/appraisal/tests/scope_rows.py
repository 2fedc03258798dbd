"""民主评议 rows for ``tests/test_scope_agreement.py``'s demo slice: a round (with its
participants) inside and one outside 玄武; the slice's member login takes part in the inside one
(the own-rows rule). Call after the 双报到 rows, whose member login is in 北安门's branch."""

from django.utils import timezone

from jiceng.appraisal import services


def add_rows(demo, make_user) -> None:
    year = timezone.localdate().year
    for org in (demo.orgs.grid1, demo.orgs.gongyuan_branch):
        services.open_round(None, org, year)
