"""Property-based walk of the REST API and of Open311 against their OpenAPI documents (schemathesis).

For every operation of ``/api/schema/`` and of the Open311 document
(``jiceng.appeals.open311.openapi``), schemathesis generates requests from the documented
parameters and bodies (valid ones, and a few deliberately invalid ones) and sends them in-process
to the WSGI application with the DRF token of a street user of the route sweep's world. Each
answer must not be a 5xx, must have a status the operation documents, and must match the
documented body (nullable and blank fields included). Path parameters are mostly the world's
real objects, in and out of the user's scope, so detail pages and actions get past the 404;
Open311 POSTs mostly carry a real api_key and service code. The module counts the cases it sent
and fails if a whole run sent fewer than :data:`MIN_CASES`.

It stays lean and reproducible: few examples per operation, derandomized (the same inputs on
every run), no shrinking, and every request runs in a transaction that is rolled back, so a
POST never changes what the next example sees.
"""

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from conftest import UserFactory
from jiceng.accounts.services import issue_token
from jiceng.appeals.open311.models import ApiKey
from jiceng.appeals.open311.openapi import open311_schema
from jiceng.areas.models import Area
from tests.route_sweep.data import build_world

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
POSITIVE_EXAMPLES = 14
NEGATIVE_EXAMPLES = 7
MIN_CASES = 1000
METHODS = ("get", "post", "put", "patch", "delete")
OPEN311 = "/open311/"

# Operations that do not yet answer as documented, with the reason. A fixed one fails its xfail.
KNOWN_FAILURES: dict[str, str] = {}


def _labels(document: dict) -> list[str]:
    return [
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method in operations
        if method in METHODS
    ]


def _operation_labels() -> list[str]:
    """``"GET /api/v1/areas/{code}/"`` for every operation the two documents describe (read at
    collection from the generators, which need no database)."""
    return _labels(SchemaGenerator().get_schema(request=None, public=True)) + _labels(open311_schema())


LABELS = _operation_labels()


def _params(label: str):
    marks = [pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[label])] if label in KNOWN_FAILURES else []
    return pytest.param(label, marks=marks, id=label)


def _path_pools(world) -> dict[str, list[dict]]:
    """Real path parameters per resource: in scope first, then out of scope."""
    sides = (world.inside, world.outside)
    appeals = [world.inside.appeal, world.inside.mine, world.outside.appeal]
    return {
        "/api/v1/appeal-events/": [{"id": side.event.pk} for side in sides],
        "/api/v1/appeals/{id}/photos/": [{"id": side.appeal.pk, "photo_id": side.photo.pk} for side in sides],
        "/api/v1/appeals/": [{"id": appeal.pk} for appeal in appeals],
        "/api/v1/areas/": [{"code": side.area.code} for side in sides],
        "/api/v1/auth/tokens/": [{"id": side.own_token.pk} for side in sides],
        "/api/v1/departments/": [{"id": side.department.pk} for side in sides],
        "/api/v1/dual-posts/": [{"id": side.dual_post.pk} for side in sides],
        "/api/v1/cobuild-items/": [{"id": side.cobuild_item.pk} for side in sides],
        "/api/v1/cobuild-claims/": [{"id": side.cobuild_claim.pk} for side in sides],
        "/api/v1/dual-registrations/": [{"id": side.registration.pk} for side in sides],
        "/api/v1/dual-services/": [{"id": side.service.pk} for side in sides],
        "/api/v1/dual-signups/": [{"id": side.signup.pk} for side in sides],
        "/api/v1/members/": [{"id": side.member.pk} for side in sides],
        "/api/v1/meetings/": [{"id": side.meeting.pk} for side in sides],
        "/api/v1/attendances/": [{"id": side.attendance.pk} for side in sides],
        "/api/v1/orgs/": [{"code": side.org.code} for side in sides],
        "/api/v1/resident-units/": [{"id": side.unit.pk} for side in sides],
        "/api/v1/transfers/": [{"id": side.transfer.pk} for side in sides],
        "/api/v1/whistle-summons/": [{"id": side.summons.pk} for side in sides],
        "/api/v1/whistles/": [{"id": side.whistle.pk} for side in sides],
        "/api/v1/appraisals/": [{"id": side.appraisal_round.pk} for side in sides],
        "/api/v1/consultations/": [{"id": side.consultation.pk} for side in sides],
        "/api/v1/partner-agreements/": [{"id": side.agreement.pk} for side in sides],
        "/api/v1/point-awards/": [{"id": side.award.pk} for side in sides],
        "/api/v1/timebank-accounts/": [{"id": side.tb_account.pk} for side in sides],
        "/api/v1/timebank-movements/": [{"id": side.tb_movement.pk} for side in sides],
        "/api/v1/timebank-redemptions/": [{"id": side.tb_redemption.pk} for side in sides],
        "/api/v1/orglife-exemptions/": [{"id": side.exemption.pk} for side in sides],
        "/api/v1/meeting-backfills/": [{"id": side.backfilled.pk} for side in sides],
        "/api/v1/volunteer-activities/": [{"id": side.vol_activity.pk} for side in sides],
        "/api/v1/volunteer-hours/": [{"id": side.vol_hours.pk} for side in sides],
        "/api/v1/volunteer-signups/": [{"id": side.vol_signup.pk} for side in sides],
        "/api/v1/volunteer-teams/": [{"id": side.vol_team.pk} for side in sides],
        "/api/v1/wishes/": [{"id": side.wish.pk} for side in sides],
        "/open311/v2/services/": [{"service_code": world.inside.category.code}],
        "/open311/v2/requests/": [{"service_request_id": appeal.number} for appeal in appeals],
        "/open311/v2/tokens/": [{"token_id": "fuzz-token"}],
    }


def _real_parameters(pools: dict[str, list[dict]], operation) -> list[dict]:
    if not operation.path_parameters:
        return []
    for prefix, pool in pools.items():  # the photos entry comes before the wider appeals one
        if operation.path.startswith(prefix):
            return pool
    raise AssertionError(f"{operation.label}: no real objects for its path parameters; add them to _path_pools")


class Fuzz:
    """What every operation's test shares: the world, the loaded documents, the cases sent."""

    def __init__(self, world, schemas, token: str, api_key: str):
        self.world, self.schemas = world, schemas
        self.headers = {"Authorization": f"Token {token}"}
        self.pools = _path_pools(world)
        self.api_key = api_key
        self.cases = 0
        self.ran: set[str] = set()

    def operation(self, label: str):
        schema = self.schemas["open311" if OPEN311 in label else "api"]
        return schema.find_operation_by_label(label)

    def strategy(self, operation, mode: GenerationMode):
        generated = operation.as_strategy(generation_mode=mode)
        if operation.body and OPEN311 in operation.path:
            # Mostly a real key and category, so that a POST gets past 403 and 404 to the intake.
            return st.one_of(generated.map(self._real_key), generated.map(self._real_key), generated)
        real = _real_parameters(self.pools, operation)
        if not real:
            return generated
        with_real = st.sampled_from(real).flatmap(
            lambda params: operation.as_strategy(generation_mode=mode, path_parameters=params)
        )
        # Mostly real objects; sometimes a generated id, which must answer 404 (or 400), not 500.
        return st.one_of(with_real, with_real, with_real, generated)

    def _real_key(self, case):
        if isinstance(case.body, dict):
            case.body["api_key"] = self.api_key
            case.body["service_code"] = self.world.inside.category.code
        return case

    def send(self, case) -> None:
        self.cases += 1
        with transaction.atomic():
            try:
                case.call_and_validate(headers=self.headers, checks=CHECKS)
            finally:
                transaction.set_rollback(True)


@pytest.fixture(scope="module")
def fuzz(request, django_db_setup, django_db_blocker):
    """The route sweep's world, built once for the module inside a transaction rolled back at
    the end (each test then runs in a savepoint of it, as pytest-django's ``db`` does)."""
    import schemathesis
    from django.core.wsgi import get_wsgi_application

    # The test client does the same: a request's start and end would otherwise close the
    # connection that holds the test transaction.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            world = build_world()
            _, token = issue_token(None, world.users.street)
            _key, raw_key = ApiKey.issue("模糊测试", area=world.tree.beianmen)
            # A grid centre, so that coordinates near it land in a grid of the key's area.
            Area.objects.filter(pk=world.tree.grid1.pk).update(latitude="32.060000", longitude="118.800000")
            app = get_wsgi_application()
            api = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
            open311 = schemathesis.openapi.from_dict(open311_schema())
            open311.app = app
            fuzz = Fuzz(world, {"api": api, "open311": open311}, token, raw_key)
            yield fuzz
            transaction.set_rollback(True)
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)
    _report(request, fuzz)


def _report(request, fuzz: Fuzz) -> None:
    """After the module: how many cases were sent; a whole run must send at least MIN_CASES."""
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    line = f"API fuzz: {fuzz.cases} cases sent, {len(fuzz.ran)} of {len(LABELS)} operations answered as documented"
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\n{line}")
    if fuzz.ran == set(LABELS):
        assert fuzz.cases >= MIN_CASES, f"only {fuzz.cases} cases; raise the examples per operation"


@pytest.mark.parametrize("label", [_params(label) for label in LABELS])
def test_operation_answers_as_documented(fuzz, db, label):
    operation = fuzz.operation(label)
    assert operation is not None, f"{label} is not in the served document"
    modes = [(GenerationMode.POSITIVE, POSITIVE_EXAMPLES)]
    if operation.path_parameters or operation.query or operation.body:  # else there is nothing to get wrong
        modes.append((GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES))
    for mode, examples in modes:

        @settings(
            max_examples=examples,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            report_multiple_bugs=False,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=fuzz.strategy(operation, mode))
        def run(case):
            fuzz.send(case)

        run()
    fuzz.ran.add(label)


def test_what_the_fuzz_found_stays_fixed(db):
    """The inputs behind the fixes, spelled out: each used to be a 500 or an HTML answer."""
    client = APIClient()
    client.force_authenticate(UserFactory(username="fuzz_root", is_superuser=True))
    for url in (
        "/api/v1/appeals/?department=-2.2e96",
        "/api/v1/transfers/?member=1e300",
        "/api/v1/appeal-rates/department/?department=null",
    ):
        response = client.get(url)
        assert response.status_code == 400, url
        assert response.json()["error"]["code"] == "invalid"
    response = client.get("/api/v1/members/abc/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json() == {"error": {"status": 404, "code": "not_found", "message": "未找到该记录，或您无权访问。"}}
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
