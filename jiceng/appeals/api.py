"""API v1 for 民呼我应: /api/v1/appeals/ (list, detail, create, transitions, timeline, Excel),
/api/v1/whistles/ and /api/v1/whistle-summons/ (吹哨报到), /api/v1/appeal-rates/ (the rates)."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from jiceng.appeals import services, stats
from jiceng.appeals.actions import APPEAL_ACTIONS, WHISTLE_ACTIONS, add_api_actions
from jiceng.appeals.filtersets import APPEAL_SORTS, AppealFilterSet, SummonsFilterSet
from jiceng.appeals.models import Appeal, Whistle, WhistleSummons, get_appeal_for_user
from jiceng.appeals.permissions import APPEAL_EXPORT, APPEAL_VIEW
from jiceng.appeals.serializers import (
    AppealCreateSerializer,
    AppealDetailSerializer,
    AppealSerializer,
    EventSerializer,
    SummonsSerializer,
    WhistleCreateSerializer,
    WhistleSerializer,
)
from jiceng.areas.models import Area
from jiceng.core.api import IdPagination, KeysetPagination, error_response
from jiceng.core.inputs import InputError, read_id, read_month
from jiceng.core.scope import scope_for
from jiceng.core.viewsets import ScopedViewSet
from jiceng.orgs.models import Department


class AppealPagination(KeysetPagination):
    """Keyset pages, newest first; ``?ordering=answer_due`` puts the most urgent first (工作台)."""

    orderings = {"-id": ("-id",), "answer_due": ("answer_due", "id")}
    max_page_size = 200


class WorkflowViewSet(ScopedViewSet):
    """A workflow's rows are read under ``view`` whatever the method: each POST action is a service
    verb that checks its own permission (dispatch, handle, report...) on the loaded object, and
    answers 403 with the reason, rather than a 404 for a row the user can see."""

    pagination_class = IdPagination

    def scope_action(self) -> str:
        return "view"


def run(call, success_status=status.HTTP_200_OK):
    """Call a service; its refusals become the API's JSON errors (403, 400, 409)."""
    try:
        return call(), None
    except services.TransitionError as exc:
        return None, error_response(exc.messages[0], status.HTTP_409_CONFLICT, exc.code or "transition")
    except services.AppealError as exc:
        code = status.HTTP_404_NOT_FOUND if exc.code == "not_found" else status.HTTP_400_BAD_REQUEST
        return None, error_response(exc.messages[0], code, exc.code or "invalid")
    except PermissionDenied as exc:
        return None, error_response(str(exc) or "没有权限执行此操作。", status.HTTP_403_FORBIDDEN, "permission_denied")


def _files(request, name: str = "photos") -> list:
    return request.FILES.getlist(name) if hasattr(request, "FILES") else []


MONTH_PARAM = OpenApiParameter("month", str, description="月份，如 2025-10（默认本月）")
END_PARAM = OpenApiParameter("end", str, description="截止月份（含），如 2025-12")


class AppealViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkflowViewSet):
    """诉求工单：按调用者的权限范围过滤（所在区划、承办或被召集的部门、本人提交的）。
    POST 受理（`client_token` 防重复提交）；各办理环节为 POST 动作；`export` 导出 Excel。"""

    filterset_class = AppealFilterSet
    pagination_class = AppealPagination
    sorts = APPEAL_SORTS

    def base_queryset(self):
        return Appeal.objects.select_related("category", "area", "assigned_area", "assigned_department")

    def get_serializer_class(self):
        return AppealDetailSerializer if self.action == "retrieve" else AppealSerializer

    def _detail(self, appeal, code=status.HTTP_200_OK):
        appeal = self.base_queryset().get(pk=appeal.pk)
        return Response(AppealDetailSerializer(appeal, context=self.get_serializer_context()).data, status=code)

    def _input(self, serializer_class):
        data = serializer_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data

    @extend_schema(request=AppealCreateSerializer, responses={201: AppealSerializer, 200: AppealSerializer})
    def create(self, request, *args, **kwargs):
        """受理一件诉求。同一 `client_token` 再次提交返回第一次创建的诉求（200）。

        返回列表中的字段（含 `url`，并在 `Location` 头中给出）；详情与办理记录见 `url`。"""
        data = self._input(AppealCreateSerializer)
        area = None
        if data.get("area"):
            # The code is unique: get() spares first()'s ORDER BY and its compilation.
            try:
                area = Area.objects.get(code=data["area"])
            except Area.DoesNotExist:
                return error_response("所选区划不存在。")
        photos = data.get("photos") or _files(request)
        appeal, error = run(
            lambda: services.create_appeal(
                request.user,
                channel=data["channel"],
                kind=data["kind"],
                category=data["category"],
                urgency=data.get("urgency"),
                title=data.get("title", ""),
                description=data["description"],
                area=area,
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
                address=data.get("address", ""),
                reporter_name=data.get("reporter_name", ""),
                reporter_phone=data.get("reporter_phone", ""),
                attributes=data.get("attributes"),
                client_token=data.get("client_token"),
                photos=photos,
            )
        )
        if error:
            return error
        # The row as the list shows it, not the detail: a hotline desk or an Open311 bridge creates
        # in bulk, and the timeline, photos and extensions of a request just made are one event the
        # caller already knows — reading and serialising them was half the cost of a create.
        # A new request is serialised as it was made (its category and area are in hand, it has
        # no assignee yet); a repeated submit returns the stored one, as it is now.
        code = status.HTTP_201_CREATED if appeal.created else status.HTTP_200_OK
        if not appeal.created:
            appeal = self.base_queryset().get(pk=appeal.pk)
        data = AppealSerializer(appeal, context=self.get_serializer_context()).data
        return Response(data, status=code, headers={"Location": data["url"]})

    # The whole timeline of one appeal, not a page of it (and so documented as a plain list).
    @extend_schema(responses={200: EventSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def events(self, request, pk=None):
        """办理记录（时间线）。诉求人只看到对其公开的环节。"""
        appeal = self.get_object()
        serializer = AppealDetailSerializer(appeal, context=self.get_serializer_context())
        return Response(serializer.get_events(appeal))

    @extend_schema(responses={(200, "image/*"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path=r"photos/(?P<photo_id>[0-9]+)", url_name="photo")
    def photo(self, request, pk=None, photo_id=None):
        """一张照片（只对能看到该诉求的用户）。"""
        appeal = self.get_object()
        photo = appeal.photos.filter(pk=photo_id).first()
        if photo is None:
            raise Http404
        return FileResponse(photo.file.open("rb"), content_type=photo.content_type)

    def respond_to_action(self, entry, call):
        """Run one entry of the action table; answer with the appeal as it is now."""
        _, error = run(call)
        if error:
            return error
        try:
            appeal = self.get_object()
        except Http404:
            # The action took the appeal out of the user's scope (a department's 退单): say what happened.
            appeal = Appeal.objects.get(pk=self.kwargs["pk"])
            return Response({"id": appeal.pk, "number": appeal.number, "status": appeal.status})
        return self._detail(appeal)

    @extend_schema(
        responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): bytes},
        description="按当前筛选条件导出 Excel（12345 工单字段）。超过页面内处理上限时转为后台任务，"
        "返回 202 和任务 id。",
    )
    @action(detail=False, methods=["get"])
    def export(self, request):
        from jiceng.core.excel_jobs import export_filename, get_kind, start_export

        params = {key: request.query_params.getlist(key) for key in request.query_params if key != "format"}
        if scope_for(request.user, APPEAL_EXPORT).empty:
            return error_response("您没有导出诉求工单的权限。", status.HTTP_403_FORBIDDEN, "permission_denied")
        job, done = start_export(request.user, "appeals", params)
        if job is not None:
            return Response({"job": job.pk, "total_rows": job.total_rows}, status=status.HTTP_202_ACCEPTED)
        path, _ = done
        response = FileResponse(
            open(path, "rb"),  # noqa: SIM115  (FileResponse closes it)
            as_attachment=True,
            filename=export_filename(get_kind("appeals")),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response._resource_closers.append(lambda: _unlink(path))
        return response


def _unlink(path) -> None:
    from pathlib import Path

    Path(path).unlink(missing_ok=True)


class AppealEventViewSet(viewsets.ReadOnlyModelViewSet):
    """所有可见诉求的办理记录（按时间倒序）；`appeal` 按诉求筛选。诉求人只看到公开环节。"""

    serializer_class = EventSerializer
    pagination_class = IdPagination
    lookup_value_regex = "[0-9]+"

    # Events carry no scope of their own: they are visible with their appeal (``visible_to``), and
    # where the user sees it only as its reporter, only the public steps (``services.staff_view``).
    # A detail outside that queryset is a 404 like any row.
    def get_queryset(self):
        queryset = services.visible_events(self.request.user).select_related("appeal").prefetch_related("photos")
        appeal = self.request.query_params.get("appeal")
        if appeal and appeal.isdigit():
            queryset = queryset.filter(appeal_id=int(appeal))
        return queryset


class WhistleViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkflowViewSet):
    """吹哨：街道（社区）看到本级及下级的吹哨，被召集的部门看到召集它的吹哨。POST 吹哨。"""

    serializer_class = WhistleSerializer

    def base_queryset(self):
        return Whistle.objects.select_related("area").prefetch_related("summons__department")

    @extend_schema(request=WhistleCreateSerializer, responses={201: WhistleSerializer})
    def create(self, request, *args, **kwargs):
        data = WhistleCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        data = data.validated_data
        area = Area.objects.filter(code=data["area"]).first()
        if area is None:
            return error_response("吹哨单位不存在。")
        appeal = get_appeal_for_user(request.user, data["appeal"]) if data.get("appeal") else None
        departments = list(Department.objects.filter(pk__in=data["departments"]))
        if len(departments) != len(set(data["departments"])):
            return error_response("所选部门不存在。")
        whistle, error = run(
            lambda: services.blow_whistle(
                request.user,
                area=area,
                case=data["case"],
                title=data["title"],
                description=data.get("description", ""),
                address=data.get("address", ""),
                departments=departments,
                appeal=appeal,
            )
        )
        if error:
            return error
        whistle = self.base_queryset().get(pk=whistle.pk)
        return Response(WhistleSerializer(whistle, context=self.get_serializer_context()).data, status=201)

    def respond_to_action(self, entry, call):
        _, error = run(call)
        if error:
            return error
        return Response(WhistleSerializer(self.get_object(), context=self.get_serializer_context()).data)


class WhistleSummonsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkflowViewSet):
    """部门报到：被召集的部门报到、反馈，吹哨单位评价。"""

    serializer_class = SummonsSerializer
    filterset_class = SummonsFilterSet

    def base_queryset(self):
        return WhistleSummons.objects.select_related("whistle", "department")

    def respond_to_action(self, entry, call):
        _, error = run(call)
        if error:
            return error
        return Response(SummonsSerializer(self.get_object(), context=self.get_serializer_context()).data)


# The POST actions of each viewset, from the workflows' action tables (same URLs as ever).
add_api_actions(AppealViewSet, APPEAL_ACTIONS, on="appeal", response=AppealDetailSerializer)
add_api_actions(WhistleViewSet, WHISTLE_ACTIONS, on="whistle", response=WhistleSerializer)
add_api_actions(WhistleSummonsViewSet, WHISTLE_ACTIONS, on="summons", response=SummonsSerializer)


def _month(value: str | None, default: date | None = None) -> date | None:
    if not value:
        return default
    try:
        return read_month(value)
    except InputError:
        return None


def _rates_payload(rates: stats.Rates) -> dict:
    return rates.as_dict()


class AppealRateViewSet(viewsets.ViewSet):
    """三率（响应率、解决率、满意率）与综合得分，按区划节点或职能部门、按月；从月度统计表读取。"""

    def _period(self, request):
        today = timezone.localdate()
        start = _month(request.query_params.get("month"), date(today.year, today.month, 1))
        end = _month(request.query_params.get("end"), start)
        if start is None or end is None or end < start:
            raise ValueError
        return start, end

    def _area(self, request, param: str) -> str:
        code = (request.query_params.get(param) or "").strip()
        scope = scope_for(request.user, APPEAL_VIEW)
        if not code or not scope.covers(code):
            raise Http404
        if not Area.objects.filter(code=code).exists():
            raise Http404
        return code

    @extend_schema(
        parameters=[OpenApiParameter("area", str, required=True), MONTH_PARAM, END_PARAM],
        responses={200: OpenApiTypes.OBJECT},
    )
    def list(self, request):
        """一个区划节点（任一层级）在一段月份内的各项比率。"""
        code = self._area(request, "area")
        try:
            start, end = self._period(request)
        except ValueError:
            return error_response("月份格式应为 2025-10。")
        rates = stats.area_rates(code, start, end)
        return Response(
            {"area": code, "month": start.isoformat()[:7], "end": end.isoformat()[:7], **_rates_payload(rates)}
        )

    @extend_schema(
        parameters=[OpenApiParameter("parent", str, required=True), MONTH_PARAM, END_PARAM],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["get"])
    def ranking(self, request):
        """下级节点按综合得分的月度排名。"""
        code = self._area(request, "parent")
        try:
            start, end = self._period(request)
        except ValueError:
            return error_response("月份格式应为 2025-10。")
        rows = stats.monthly_ranking(code, start, end)
        return Response(
            {
                "parent": code,
                "month": start.isoformat()[:7],
                "results": [
                    {
                        "rank": r.rank,
                        "ranked": r.ranked,
                        "code": r.code,
                        "name": r.name,
                        "score": r.score,
                        **_rates_payload(r.rates),
                    }
                    for r in rows
                ],
            }
        )

    @extend_schema(
        parameters=[OpenApiParameter("department", int, required=True), MONTH_PARAM, END_PARAM],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["get"])
    def department(self, request):
        """一个职能部门的记分卡：承办诉求的各项比率，以及报到率、按时报到率、平均评价。"""
        try:
            pk = read_id(request.query_params.get("department"), "department")
        except InputError as exc:
            return error_response(str(exc))
        department = Department.objects.filter(pk=pk).first()
        scope = scope_for(request.user, APPEAL_VIEW)
        if department is None or not (scope.covers_department(department) or scope.covers(department)):
            raise Http404
        try:
            start, end = self._period(request)
        except ValueError:
            return error_response("月份格式应为 2025-10。")
        rates = stats.department_rates(department.pk, start, end)
        return Response({"department": department.pk, "name": department.name, **_rates_payload(rates)})
