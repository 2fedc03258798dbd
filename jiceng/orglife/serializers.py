from rest_framework import serializers

from jiceng.core.api import IdField

from .models import Attendance, Decision, Meeting, MeetingType, Minutes


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
