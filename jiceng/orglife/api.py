"""API v1 for organisational life: /api/v1/meetings/ (with the workflow's actions, sign-in and
leave), /api/v1/attendances/, /api/v1/orglife-exemptions/ (免于考核: request, approve, reject,
revoke) and /api/v1/meeting-backfills/ (补录). Offices see their subtree's meetings; a member
sees their own."""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action as drf_action
from rest_framework.response import Response

from jiceng.core.api import IdPagination, error_response
from jiceng.core.viewsets import ScopedReadOnlyViewSet, add_api_actions
from jiceng.members.models import Member, member_of
from jiceng.orgs.models import BRANCH_TYPES, Org, OrgType

from . import actions, services
from .exemption_actions import EXEMPTION_ACTIONS, ExemptionRefused, refusal
from .filtersets import AttendanceFilterSet, ExemptionFilterSet, MeetingFilterSet
from .models import Attendance, Exemption, Meeting, MeetingEvent, get_meeting_for_user
from .serializers import (
    ERRORS,
    AttendanceSerializer,
    BackfillSerializer,
    ExemptionCreateSerializer,
    ExemptionSerializer,
    LeaveSerializer,
    MeetingCreateSerializer,
    MeetingDetailSerializer,
    MeetingSerializer,
    SignInResultSerializer,
    SignInSerializer,
)


def _result(row, signed: bool) -> Response:
    return Response(
        {
            "meeting": row.meeting_id,
            "status": row.status,
            "status_display": row.get_status_display(),
            "signed_at": row.signed_at,
            "signed_now": signed,
        }
    )


class MeetingViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """会议（三会一课、主题党日、组织生活会等）：党组织及其上级看到本范围的会议，党员看到本人应参加的会议。
    POST 安排会议；各项流程操作（开始签到、结束会议、代签、纪要、审核）以 `POST /meetings/{id}/<操作>/` 调用，
    与页面按钮相同，只在允许时可用。"""

    queryset = Meeting.objects.select_related("org").prefetch_related("kinds")
    filterset_class = MeetingFilterSet
    pagination_class = IdPagination
    serializer_class = MeetingSerializer
    # Actions are decided by the table and the services (their own 403); the meeting is looked up
    # as the list shows it.
    scope_actions = {"sign_in": "view", "sign_in_any": "view", "leave": "view"}

    def get_serializer_class(self):
        return MeetingDetailSerializer if self.action == "retrieve" else MeetingSerializer

    def detail_queryset(self):
        return Meeting.objects.select_related("org", "host", "recorder").prefetch_related("kinds")

    def scope_action(self) -> str:
        if self.action and self.action.startswith("act_"):
            return "view"
        return super().scope_action()

    def _detail(self, meeting, code=status.HTTP_200_OK):
        meeting = self.detail_queryset().get(pk=meeting.pk)
        return Response(MeetingDetailSerializer(meeting, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=MeetingCreateSerializer, responses={201: MeetingDetailSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        data = MeetingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        org = Org.objects.visible_to(request.user).filter(code=values["org"]).first()
        if org is None:
            return error_response("党组织不存在，或不在您的权限范围内。", status.HTTP_404_NOT_FOUND, "not_found")
        people = Member.objects.filter(pk__in=[values.get("host"), values.get("recorder")])
        people_by_pk = {m.pk: m for m in people}
        for key, label in (("host", "主持人"), ("recorder", "记录人")):
            if values.get(key) and values[key] not in people_by_pk:
                return error_response(f"{label}不存在。")
        group = None
        if values.get("group"):
            group = Org.objects.filter(code=values["group"], org_type=OrgType.GROUP).first()
            if group is None:
                return error_response("党小组不存在。")
        attendees = None
        if "attendees" in values:
            found = {m.pk: m for m in Member.objects.filter(pk__in=values["attendees"])}
            missing = [pk for pk in values["attendees"] if pk not in found]
            if missing:
                return error_response(f"参会人员编号{missing[0]}不存在。")
            attendees = [found[pk] for pk in values["attendees"]]
        try:
            meeting = services.create_meeting(
                request.user,
                org=org,
                types=values["types"],
                topic=values["topic"],
                planned_start=values["planned_start"],
                place=values.get("place", ""),
                host=people_by_pk.get(values.get("host")),
                recorder=people_by_pk.get(values.get("recorder")),
                agenda=values.get("agenda", ""),
                group=group,
                attendees=attendees,
            )
        except PermissionDenied as exc:
            return error_response(str(exc), status.HTTP_403_FORBIDDEN, "permission_denied")
        return self._detail(meeting, status.HTTP_201_CREATED)

    @extend_schema(request=SignInSerializer, responses={200: SignInResultSerializer, **ERRORS})
    @drf_action(detail=True, methods=["post"], url_path="sign-in", url_name="sign-in")
    def sign_in(self, request, pk=None):
        """党员扫码签到：提交会议签到二维码中的签到码。同一党员只签到一次，重复提交返回已有的签到。
        过期的码、其他会议的码、会议结束后签到都会被拒绝。"""
        data = SignInSerializer(data=request.data)
        if data.is_valid():
            # The hot path (a meeting's start): three statements, see services.quick_sign_in.
            done = services.quick_sign_in(request.user, int(pk), data.validated_data["code"])
            if done is not None:
                return _result(*done)
        # Anything else the full way, in the order every other action answers: out of scope 404,
        # bad input 400, then the refusal's reason.
        meeting = self.get_object()
        data.is_valid(raise_exception=True)
        row, signed = services.sign_in_by_qr(request.user, data.validated_data["code"], meeting)
        return _result(row, signed)

    @extend_schema(request=LeaveSerializer, responses={200: AttendanceSerializer, **ERRORS})
    @drf_action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        """党员本人在会议开始前请假，须写明事由。"""
        meeting = self.get_object()
        data = LeaveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = member_of(request.user)
        if member is None:
            return error_response("您的账号没有关联党员信息。", status.HTTP_403_FORBIDDEN, "permission_denied")
        row = services.ask_leave(request.user, meeting, member, data.validated_data["reason"])
        return Response(AttendanceSerializer(row).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, description="考核期：2026-11、2026-Q4 或 2026，默认本季度"),
            OpenApiParameter("type", str, description="按落实情况筛选时的会议类型"),
            OpenApiParameter("status", str, enum=["held", "missed", "exempt"], description="落实情况"),
            OpenApiParameter("after", str, description="上一页最后一个党组织编码（next_after）"),
        ],
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    @drf_action(detail=False, methods=["get"])
    def compliance(self, request):
        """组织生活落实情况：本范围各党支部在考核期内应召开的会议类型是否已召开，每类的已召开、未召开、
        免于考核支部数，与“落实情况”页面相同（同一函数）。每页 50 个支部，以 next_after 翻页。"""
        from .compliance import PeriodError
        from .views import compliance_report

        try:
            result = compliance_report(request.user, request.query_params)
        except PermissionDenied as exc:
            return error_response(str(exc), status.HTTP_403_FORBIDDEN, "permission_denied")
        except PeriodError as exc:
            return error_response(str(exc))
        return Response(result.as_dict())


def _api_action(entry: actions.Action):
    def act(self, request, pk=None):
        meeting = self.get_object()
        if entry not in actions.available(request.user, meeting):
            return error_response(
                f"当前不能“{entry.label}”：会议状态不允许或您没有权限。", status.HTTP_409_CONFLICT, "not_allowed"
            )
        serializer = entry.inputs(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        try:
            entry.run(request.user, meeting, data)
        except PermissionDenied as exc:
            return error_response(str(exc), status.HTTP_403_FORBIDDEN, "permission_denied")
        return self._detail(get_meeting_for_user(request.user, meeting.pk))

    act.__name__ = act.__qualname__ = f"act_{entry.key}"
    act.__doc__ = entry.description or entry.label
    act = drf_action(detail=True, methods=["post"], url_path=entry.url_path, url_name=entry.url_path)(act)
    return extend_schema(
        operation_id=f"meeting_{entry.key}",
        summary=entry.label,
        description=entry.description or entry.label,
        request=entry.inputs,
        responses={200: MeetingDetailSerializer, **ERRORS},
    )(act)


for _entry in actions.MEETING_ACTIONS.values():
    setattr(MeetingViewSet, f"act_{_entry.key}", _api_action(_entry))


class AttendanceViewSet(ScopedReadOnlyViewSet):
    """出席情况（应到、列席；出席、迟到、请假、缺席）：按会议筛选（`?meeting=`）。"""

    queryset = Attendance.objects.select_related("member")
    serializer_class = AttendanceSerializer
    filterset_class = AttendanceFilterSet
    pagination_class = IdPagination


def _members(values: dict, keys: tuple[tuple[str, str], ...]) -> tuple[dict[int, Member], Response | None]:
    """The host and recorder named by id: the people found, or the refusal naming the missing one."""
    people = {m.pk: m for m in Member.objects.filter(pk__in=[values.get(key) for key, _ in keys if values.get(key)])}
    for key, label in keys:
        if values.get(key) and values[key] not in people:
            return people, error_response(f"{label}不存在。", code=key)
    return people, None


def _orglife_refusal(exc: services.OrglifeError) -> Response:
    """A service's refusal with the fields it names (400), as the page shows it next to the fields."""
    body: dict = {"status": 400, "code": "invalid", "message": "；".join(exc.messages)}
    if hasattr(exc, "error_dict"):
        body["fields"] = exc.message_dict
    return Response({"error": body}, status=status.HTTP_400_BAD_REQUEST)


class ExemptionViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """免于考核申请：党支部（或其上级）为本支部申请“批准延期召开”（某类会议、某考核期）或“党组织撤销中”，
    由上级党组织批准或不批准；待审批的可由申请方或上级撤销，已批准的只能由上级撤销。只有已批准的计入落实情况。
    与“免于考核”页面相同的服务；各项操作以 `POST /orglife-exemptions/{id}/<操作>/` 调用，只在允许时成功。"""

    queryset = Exemption.objects.select_related("org__parent")
    serializer_class = ExemptionSerializer
    filterset_class = ExemptionFilterSet
    pagination_class = IdPagination
    # Who may decide or revoke is the service's check (its own 403); the row is looked up as listed.
    scope_actions = {"create": "view", **{key: "view" for key in EXEMPTION_ACTIONS}}

    @extend_schema(
        request=ExemptionCreateSerializer, responses={201: ExemptionSerializer, 200: ExemptionSerializer, **ERRORS}
    )
    def create(self, request, *args, **kwargs):
        """申请免于考核。重复提交同一申请（待审批或已批准）返回已有的申请（200），不会再建一条。"""
        data = ExemptionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        org = Org.objects.visible_to(request.user).filter(code=values["org"].strip(), org_type__in=BRANCH_TYPES).first()
        if org is None:
            return error_response("党支部不存在，或不在您的权限范围内。", status.HTTP_404_NOT_FOUND, "not_found")
        try:
            row, created = services.request_exemption(
                request.user,
                org=org,
                kind=values["kind"],
                period=values["period"],
                reason=values["reason"],
                meeting_type=values.get("type", ""),
            )
        except PermissionDenied as exc:
            return error_response(str(exc), status.HTTP_403_FORBIDDEN, "permission_denied")
        except services.OrglifeError as exc:
            return _orglife_refusal(exc)
        fresh = self.base_queryset().get(pk=row.pk)
        return Response(
            ExemptionSerializer(fresh, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


add_api_actions(ExemptionViewSet, EXEMPTION_ACTIONS, ExemptionSerializer, ExemptionRefused, refusal)


class BackfillViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """补录：登记已经召开（在规则“补录会议最早可补录多少天前召开的会议”的期限内）的会议，与“补录会议”页面相同：
    该日的党员为应到人员，`present` 中的记为出席（代签，事由“补录”），其余记为缺席并布置补学，计入召开当月的落实情况。
    列表为本范围内补录的会议。同一党组织同一时间同一主题的会议不能重复补录。"""

    queryset = Meeting.objects.select_related("org").prefetch_related("kinds")
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilterSet
    pagination_class = IdPagination
    scope_actions = {"create": "view"}

    def base_queryset(self):
        backfilled = MeetingEvent.objects.filter(meeting=OuterRef("pk"), kind="backfill")
        return super().base_queryset().filter(Exists(backfilled))

    @extend_schema(request=BackfillSerializer, responses={201: MeetingDetailSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        data = BackfillSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        org = Org.objects.visible_to(request.user).filter(code=values["org"].strip()).first()
        if org is None:
            return error_response("党组织不存在，或不在您的权限范围内。", status.HTTP_404_NOT_FOUND, "not_found")
        people, refused = _members(values, (("host", "主持人"), ("recorder", "记录人")))
        if refused is not None:
            return refused
        try:
            meeting = services.backfill_meeting(
                request.user,
                org=org,
                types=values["types"],
                topic=values["topic"],
                held_at=values["held_at"],
                place=values.get("place", ""),
                host=people.get(values.get("host")),
                recorder=people.get(values.get("recorder")),
                present=values.get("present", []),
                minutes_topics=values.get("minutes_topics", ""),
                minutes_discussion=values.get("minutes_discussion", ""),
                minutes_resolutions=values.get("minutes_resolutions", ""),
            )
        except PermissionDenied as exc:
            return error_response(str(exc), status.HTTP_403_FORBIDDEN, "permission_denied")
        except services.OrglifeError as exc:
            return _orglife_refusal(exc)
        fresh = MeetingDetailSerializer(
            Meeting.objects.select_related("org", "host", "recorder").prefetch_related("kinds").get(pk=meeting.pk),
            context=self.get_serializer_context(),
        )
        return Response(fresh.data, status=status.HTTP_201_CREATED)
