"""The action tables drive the pages, the page POSTs, the API routes and the schema: all of them
come from the entries, so a new action is its service verb plus one entry."""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.routers import SimpleRouter

from jiceng.appeals.actions import (
    APPEAL_ACTIONS,
    WHISTLE_ACTIONS,
    Action,
    add_api_actions,
    available_actions,
)
from jiceng.appeals.api import AppealViewSet, WhistleSummonsViewSet, WhistleViewSet
from jiceng.appeals.models import Appeal
from jiceng.appeals.serializers import AppealDetailSerializer, SuperviseSerializer

from .conftest import T0

API_ERRORS = {"400", "401", "403", "404", "409"}


def _post_routes(viewset) -> set[str]:
    return {a.url_path for a in viewset.get_extra_actions() if a.detail and "post" in a.mapping}


def test_api_action_routes_are_the_table_entries():
    assert _post_routes(AppealViewSet) == {e.url_path for e in APPEAL_ACTIONS.values() if e.api}
    whistle = {e.url_path for e in WHISTLE_ACTIONS.values() if e.on == "whistle"}
    summons = {e.url_path for e in WHISTLE_ACTIONS.values() if e.on == "summons"}
    assert _post_routes(WhistleViewSet) == whistle == {"close"}
    assert _post_routes(WhistleSummonsViewSet) == summons == {"report", "feedback", "rate"}
    # The URLs clients know stay as they were.
    assert {"dispatch", "return", "decide-extension", "sign", "cancel"} <= _post_routes(AppealViewSet)


def test_schema_has_one_operation_per_entry_with_its_input_and_status_codes():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    prefixes = {"appeal": "/api/v1/appeals/{id}/", "whistle": "/api/v1/whistles/{id}/"}
    prefixes["summons"] = "/api/v1/whistle-summons/{id}/"
    operations = 0
    for entry in [*APPEAL_ACTIONS.values(), *WHISTLE_ACTIONS.values()]:
        path = f"{prefixes[entry.on]}{entry.url_path}/"
        if not entry.api:
            assert path not in schema["paths"]
            continue
        operation = schema["paths"][path]["post"]
        body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert body.endswith("/" + entry.inputs.__name__.removesuffix("Serializer") + "Request")
        assert {"200", *API_ERRORS} <= set(operation["responses"]), entry.key
        assert operation["summary"] == entry.label
        operations += 1
    assert operations == sum(e.api for e in APPEAL_ACTIONS.values()) + len(WHISTLE_ACTIONS)


def _page_actions(html: str, pk: int) -> set[str]:
    return set(re.findall(rf'action="/appeals/{pk}/([a-z_]+)/"', html))


@pytest.mark.parametrize("who", ["community", "resident", "grid", "district"])
def test_page_forms_are_the_available_actions(client, people, submit, tree, who):
    from jiceng.appeals import services

    appeal = submit(now=None)
    services.dispatch_appeal(people.community, appeal, area=tree.grid1)
    user = getattr(people, who)
    client.force_login(user)
    html = client.get(f"/appeals/{appeal.pk}/").content.decode()
    allowed = available_actions(user, Appeal.objects.get(pk=appeal.pk))
    assert _page_actions(html, appeal.pk) == set(allowed)
    assert allowed == [key for key in APPEAL_ACTIONS if key in allowed]  # the table's order


def test_a_new_entry_is_a_page_card_a_post_and_an_api_route(client, api_client, people, submit, monkeypatch):
    """One more entry (the verb is a stand-in): card, page POST, API route and call, nothing else."""
    calls = []

    def remark(actor, appeal, *, note):
        calls.append((actor.pk, appeal.pk, note))
        return appeal

    entry = Action(
        key="remark",
        label="备注",
        verb=remark,
        allowed=lambda w: w.dispatcher,
        inputs=SuperviseSerializer,
        run=lambda actor, appeal, d: remark(actor, appeal, note=d["note"]),
        done=lambda appeal, result, d: "已备注。",
        button="保存备注",
    )
    monkeypatch.setitem(APPEAL_ACTIONS, "remark", entry)
    appeal = submit(now=T0)

    client.force_login(people.community)
    html = client.get(f"/appeals/{appeal.pk}/").content.decode()
    assert "remark" in _page_actions(html, appeal.pk) and "保存备注" in html and 'id="id_remark-note"' in html
    response = client.post(f"/appeals/{appeal.pk}/remark/", {"remark-note": "已电话联系"}, follow=True)
    assert "已备注。" in response.content.decode()
    client.force_login(people.resident)  # not a dispatcher: no card
    assert "remark" not in _page_actions(client.get(f"/appeals/{appeal.pk}/").content.decode(), appeal.pk)

    class Extended(AppealViewSet):
        pass

    add_api_actions(Extended, APPEAL_ACTIONS, on="appeal", response=AppealDetailSerializer)
    router = SimpleRouter()
    router.register("appeals", Extended, basename="appeal-extended")
    assert "appeal-extended-remark" in {u.name for u in router.urls}
    view = Extended.as_view({"post": "act_remark"})
    from rest_framework.test import APIRequestFactory, force_authenticate

    request = APIRequestFactory().post("/", {"note": "接口备注"}, format="json")
    force_authenticate(request, people.community)
    assert view(request, pk=appeal.pk).status_code == 200
    assert [note for _, _, note in calls] == ["已电话联系", "接口备注"]
