"""共驻共建 agreements: signed with duties (all errors at once), reviewed yearly with a score, the
unit's yearly score for its evaluation, reminders before duties fall due."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.orgs.models import UnitKind
from jiceng.orgs.services.units import create_resident_unit
from jiceng.orgs.tests.conftest import build_orgs
from jiceng.partners import services
from jiceng.partners.models import Agreement, Duty, Review

pytestmark = pytest.mark.django_db


@pytest.fixture
def pw(tree, users):
    orgs = build_orgs(tree)
    unit = create_resident_unit(
        None, name="北安门供电所", kind=UnitKind.STATE_ENTERPRISE, area=tree.grid1, party_org=orgs.grid2
    )
    far = create_resident_unit(
        None, name="贡院书店", kind=UnitKind.PRIVATE_ENTERPRISE, area=tree.gongyuan, party_org=orgs.gongyuan_branch
    )
    return type("W", (), {"tree": tree, "orgs": orgs, "users": users, "unit": unit, "far": far})


def sign(pw, **extra):
    today = timezone.localdate()
    values = dict(
        title="党建联建协议",
        content="共同开展志愿服务",
        resources="会议室一间，每年经费2万元",
        community_contact="王书记",
        unit_contact="李主任",
        signed_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=700),
        duties=[
            ("community", "提供活动场地", today + timedelta(days=5)),
            ("unit", "每季度组织一次义诊", today + timedelta(days=60)),
            ("unit", "资助困难家庭", today - timedelta(days=3)),
        ],
    )
    values.update(extra)
    return services.sign(pw.users.community, pw.orgs.beianmen, pw.unit, **values)


def test_sign_refuses_with_every_error_and_writes_nothing(pw):
    today = timezone.localdate()
    with pytest.raises(services.PartnersError) as exc:
        services.sign(
            pw.users.community,
            pw.orgs.beianmen,
            pw.far,
            title="",
            content="x",
            community_contact="a",
            unit_contact="b",
            signed_on=today,
            ends_on=today - timedelta(days=1),
            duties=[],
        )
    assert {"unit", "title", "ends_on", "duties"} <= set(exc.value.message_dict)
    assert not Agreement.objects.exists()


def test_other_community_cannot_sign(pw):
    with pytest.raises(services.PartnersError) as exc:
        services.sign(
            pw.users.other_community,
            pw.orgs.beianmen,
            pw.unit,
            title="t",
            content="c",
            community_contact="a",
            unit_contact="b",
            signed_on=date(2026, 1, 1),
            ends_on=date(2027, 1, 1),
            duties=[("unit", "x", date(2026, 5, 1))],
        )
    assert "community_org" in exc.value.message_dict


def test_review_score_and_unit_year_score(pw):
    agreement = sign(pw)
    year = timezone.localdate().year
    duties = list(agreement.duties.filter(due_on__year=year))
    with pytest.raises(services.PartnersError):
        services.review(pw.users.community, agreement, year, {duties[0].pk: "done"})  # not every duty rated
    ratings = {d.pk: r for d, r in zip(duties, ["done", "partly", "not_done"], strict=False)}
    review = services.review(pw.users.community, agreement, year, ratings, "总体较好")
    expected = services.score_of(list(ratings.values()))
    assert review.score == expected
    assert services.score_of(["done", "partly", "not_done"]) == Decimal("50.0")
    assert services.unit_year_score(pw.unit, year) == expected
    assert services.unit_year_score(pw.unit, year - 5) is None
    with pytest.raises(services.PartnersError):
        services.review(pw.users.community, agreement, year, ratings)
    assert Review.objects.count() == 1


def test_todo_reminds_before_due_and_overdue(pw):
    agreement = sign(pw)
    items = services.duties_due(pw.users.community, timezone.now(), 10)
    titles = [i.title for i in items]
    assert any("提供活动场地" in t for t in titles) and any("资助困难家庭" in t for t in titles)
    assert not any("义诊" in t for t in titles)  # 60 days away: beyond the lead time
    services.mark_done(pw.users.community, Duty.objects.get(agreement=agreement, content="提供活动场地"))
    assert len(services.duties_due(pw.users.community, timezone.now(), 10)) == 1
    assert services.duties_due(pw.users.other_community, timezone.now(), 10) == []


def test_pages_and_unit_side_sees_it(pw, client, make_user):
    agreement = sign(pw)
    client.force_login(pw.users.community)
    assert client.get(reverse("partners:agreement_list")).status_code == 200
    page = client.get(reverse("partners:agreement_detail", args=[agreement.pk]))
    assert "review-form" in page.content.decode()
    form = client.get(reverse("partners:agreement_add"))
    assert form.status_code == 200
    bad = client.post(reverse("partners:agreement_add"), {"title": ""})
    assert bad.status_code == 200 and Agreement.objects.count() == 1
    year = timezone.localdate().year
    data = {"year": year, "comment": "好"}
    for d in agreement.duties.filter(due_on__year=year):
        data[f"duty-{d.pk}"] = "done"
    client.post(reverse("partners:agreement_review", args=[agreement.pk]), data)
    assert Review.objects.get().score == Decimal("100.0")
    from jiceng.accounts.services import assign_role

    secretary = make_user("grid2_shuji")
    assign_role(None, secretary, "branch_secretary", org=pw.orgs.grid2)
    client.force_login(secretary)
    assert client.get(reverse("partners:agreement_detail", args=[agreement.pk])).status_code == 200
    client.force_login(pw.users.other_community)
    assert client.get(reverse("partners:agreement_detail", args=[agreement.pk])).status_code == 404


def test_api(pw, api_client):
    sign(pw)
    api_client.force_authenticate(pw.users.street)
    body = api_client.get("/api/v1/partner-agreements/").json()
    assert body["results"][0]["unit_name"] == "北安门供电所" and len(body["results"][0]["duties"]) == 3
