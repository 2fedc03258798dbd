"""协商议事 records: all errors at once, filters, follow-up, export, scope."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.consult import services
from jiceng.consult.exporter import ConsultationExporter
from jiceng.consult.models import Consultation, FollowUp, Kind
from jiceng.orgs.models import UnitKind
from jiceng.orgs.services.units import create_resident_unit

pytestmark = pytest.mark.django_db


def record(tree, users, **extra):
    values = dict(
        kind=Kind.COUNCIL,
        held_on=timezone.localdate() - timedelta(days=3),
        title="加装电梯议事会",
        topics="3栋加装电梯费用分摊",
        decisions="按楼层分摊",
        residents=12,
        unit_reps=1,
        member_reps=3,
        owners_committee=2,
    )
    values.update(extra)
    return services.record(users.community, tree.beianmen, **values)


def test_record_and_every_error_at_once(tree, users):
    with pytest.raises(services.ConsultError) as exc:
        services.record(
            users.community,
            tree.gongyuan,
            kind="x",
            held_on=timezone.localdate() + timedelta(days=1),
            title="",
            topics="",
            residents=-1,
        )
    assert {"area", "kind", "held_on", "title", "topics", "residents"} <= set(exc.value.message_dict)
    assert not Consultation.objects.exists()
    row = record(tree, users)
    assert row.participants == 18


def test_unit_outside_the_area_refused(tree, users):
    far = create_resident_unit(None, name="贡院书店", kind=UnitKind.PRIVATE_ENTERPRISE, area=tree.gongyuan)
    with pytest.raises(services.ConsultError) as exc:
        record(tree, users, units=[far])
    assert "units" in exc.value.message_dict


def test_list_filters_detail_follow_up_and_scope(tree, users, client):
    row = record(tree, users)
    record(tree, users, kind=Kind.PACT, title="文明养犬公约")
    client.force_login(users.street)
    page = client.get(reverse("consult:consultation_list"), {"kind": "pact"})
    text = page.content.decode()
    assert "文明养犬公约" in text and "加装电梯议事会" not in text
    bad = client.get(reverse("consult:consultation_list"), {"held_from": "昨天"})
    assert bad.status_code == 200
    client.force_login(users.community)
    assert (
        client.post(
            reverse("consult:consultation_detail", args=[row.pk]), {"follow_up_status": "done", "follow_up": "已开工"}
        ).status_code
        == 302
    )
    assert Consultation.objects.get(pk=row.pk).follow_up_status == FollowUp.DONE
    client.force_login(users.other_community)
    assert client.get(reverse("consult:consultation_detail", args=[row.pk])).status_code == 404
    client.force_login(users.community)
    form = client.post(reverse("consult:consultation_add"), {"title": ""})
    assert form.status_code == 200 and Consultation.objects.count() == 2


def test_add_page(tree, users, client):
    client.force_login(users.community)
    response = client.post(
        reverse("consult:consultation_add"),
        {
            "kind": "hearing",
            "held_on": f"{timezone.localdate():%Y-%m-%d}",
            "area": tree.beianmen.code,
            "title": "停车收费听证",
            "topics": "小区停车收费标准",
            "residents": 20,
            "unit_reps": 0,
            "member_reps": 2,
            "owners_committee": 3,
            "follow_up_status": "pending",
        },
    )
    assert response.status_code == 302
    assert Consultation.objects.get().kind == Kind.HEARING


def test_export_and_api(tree, users, api_client):
    record(tree, users)
    exporter = ConsultationExporter()
    target = io.BytesIO()
    assert exporter.write(users.street, exporter.queryset(users.street, {}), target) == 1
    book = openpyxl.load_workbook(io.BytesIO(target.getvalue()), read_only=True)
    assert "加装电梯议事会" in [c for s in book for r in s.iter_rows(values_only=True) for c in r]
    api_client.force_authenticate(users.other_community)
    assert api_client.get("/api/v1/consultations/").json()["results"] == []
    api_client.force_authenticate(users.district)
    assert api_client.get("/api/v1/consultations/").json()["results"][0]["residents"] == 12
