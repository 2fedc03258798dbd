from rest_framework import serializers

from jiceng.core.api import IdField

from .models import Attendance, Decision, Exemption, ExemptionKind, Meeting, MeetingType, Minutes


class MinutesSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    decisions = serializers.SerializerMethodField()

    class Meta:
        model = Minutes
        fields = [
            "status",
            "status_display",
            "topics",
            "discussion",
            "resolutions",
            "submitted_at",
            "reviewed_at",
            "return_reason",
            "decisions",
        ]

    def get_decisions(self, minutes) -> list[dict]:
        return DecisionSerializer(minutes.decisions.all(), many=True).data


class DecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Decision
        fields = [
            "subject",
            "votes_for",
            "votes_against",
            "votes_abstain",
            "entitled",
            "present_entitled",
            "passed",
            "note",
        ]


class MeetingSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    types = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "org",
            "org_name",
            "types",
            "topic",
            "status",
            "status_display",
            "planned_start",
            "actual_start",
            "closed_at",
            "place",
        ]

    def get_types(self, meeting) -> list[str]:
        return [kind.type for kind in meeting.kinds.all()]


class MeetingDetailSerializer(MeetingSerializer):
    host = serializers.CharField(source="host.name", read_only=True, default=None, allow_null=True)
    recorder = serializers.CharField(source="recorder.name", read_only=True, default=None, allow_null=True)
    attendance = serializers.SerializerMethodField()
    minutes = serializers.SerializerMethodField()

    class Meta(MeetingSerializer.Meta):
        fields = [
            *MeetingSerializer.Meta.fields,
            "host",
            "recorder",
            "agenda",
            "cancel_reason",
            "attendance",
            "minutes",
        ]

    def get_attendance(self, meeting) -> dict:
        from .services import attendance_counts

        return attendance_counts(meeting)

    def get_minutes(self, meeting) -> dict | None:
        minutes = Minutes.objects.filter(meeting=meeting).first()
        return MinutesSerializer(minutes).data if minutes else None


class MeetingCreateSerializer(serializers.Serializer):
    org = serializers.CharField(label="党组织编码", max_length=48)
    types = serializers.ListField(
        label="会议类型", child=serializers.ChoiceField(choices=MeetingType.choices), min_length=1, max_length=8
    )
    topic = serializers.CharField(label="会议主题", max_length=120)
    planned_start = serializers.DateTimeField(label="会议时间")
    place = serializers.CharField(label="地点", max_length=120, required=False, allow_blank=True)
    host = IdField(label="主持人（党员 id）", required=False)
    recorder = IdField(label="记录人（党员 id）", required=False)
    group = serializers.CharField(label="党小组编码", max_length=48, required=False, allow_blank=True)
    agenda = serializers.CharField(label="议程", max_length=2000, required=False, allow_blank=True)
    attendees = serializers.ListField(
        label="参会人员（党员 id；不填为本组织全体党员）", child=IdField(), required=False, max_length=2000
    )


class AttendanceSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Attendance
        fields = [
            "id",
            "meeting",
            "member",
            "member_name",
            "role",
            "can_vote",
            "status",
            "status_display",
            "signed_at",
            "method",
            "reason",
        ]


class SignInSerializer(serializers.Serializer):
    code = serializers.CharField(label="签到码", max_length=80, help_text="会议签到二维码中的签到码（链接的最后一段）")


class LeaveSerializer(serializers.Serializer):
    reason = serializers.CharField(label="请假事由", max_length=200)


class SignInResultSerializer(serializers.Serializer):
    meeting = serializers.IntegerField()
    status = serializers.CharField()
    status_display = serializers.CharField()
    signed_at = serializers.DateTimeField(allow_null=True)
    signed_now = serializers.BooleanField(help_text="本次请求完成签到为 true；此前已签到为 false")


class OrglifeErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField(help_text="中文说明")
    fields = serializers.DictField(required=False, help_text="按字段的错误（400）")


class OrglifeErrorSerializer(serializers.Serializer):
    """Every API error: ``{"error": {"status", "code", "message", "fields"?}}`` (ADR 0011)."""

    error = OrglifeErrorDetailSerializer()


ERRORS = {code: OrglifeErrorSerializer for code in (400, 401, 403, 404, 409)}


# --------------------------------------------------------------------------- 免于考核 and 补录


class ExemptionSerializer(serializers.ModelSerializer):
    """A 免于考核 request as the list page shows it."""

    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    type_display = serializers.CharField(source="get_type_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Exemption
        fields = [
            "id",
            "org",
            "org_name",
            "kind",
            "kind_display",
            "type",
            "type_display",
            "period",
            "starts",
            "ends",
            "reason",
            "status",
            "status_display",
            "requested_at",
            "decided_at",
            "decision_note",
        ]


class ExemptionCreateSerializer(serializers.Serializer):
    org = serializers.CharField(label="党支部编码", max_length=48, help_text="本人管辖范围内党支部的组织编码")
    kind = serializers.ChoiceField(label="申请类别", choices=ExemptionKind.choices)
    type = serializers.ChoiceField(
        label="会议类型", choices=MeetingType.choices, required=False, allow_blank=True, help_text="延期召开时必填"
    )
    period = serializers.CharField(label="考核期", max_length=8, help_text="如 2026-Q4、2026-11 或 2026")
    reason = serializers.CharField(label="申请理由", max_length=300)


class BackfillSerializer(serializers.Serializer):
    """补录: a meeting already held (within the rule ``orglife.backfill_days``)."""

    org = serializers.CharField(label="党组织编码", max_length=48)
    types = serializers.ListField(
        label="会议类型", child=serializers.ChoiceField(choices=MeetingType.choices), min_length=1, max_length=8
    )
    topic = serializers.CharField(label="会议主题", max_length=120)
    held_at = serializers.DateTimeField(label="召开时间", help_text="已召开会议的开始时间，早于现在，且在补录期限内")
    place = serializers.CharField(label="地点", max_length=120, required=False, allow_blank=True)
    host = IdField(label="主持人（党员 id）", required=False)
    recorder = IdField(label="记录人（党员 id）", required=False)
    present = serializers.ListField(
        label="出席人员（党员 id；其余记为缺席并布置补学）", child=IdField(), required=False, max_length=2000
    )
    minutes_topics = serializers.CharField(label="议题", max_length=4000, required=False, allow_blank=True)
    minutes_discussion = serializers.CharField(label="讨论情况", max_length=8000, required=False, allow_blank=True)
    minutes_resolutions = serializers.CharField(label="决议", max_length=4000, required=False, allow_blank=True)
