"""API shapes of 志愿服务. Serializer names carry the app's noun (DRF component names are global).
A volunteer's phone and birth date are never in the API; their name is shown to the community."""

from rest_framework import serializers

from .models import Activity, HoursRecord, SignUp, Team


class VolunteerTeamSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True, default="")

    class Meta:
        model = Team
        fields = ["id", "name", "area_path", "community_name", "org_name", "service_scope", "member_count"]


class VolunteerActivitySerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    free = serializers.IntegerField(read_only=True, help_text="剩余名额")

    class Meta:
        model = Activity
        fields = [
            "id",
            "title",
            "place",
            "starts_at",
            "ends_at",
            "places",
            "taken",
            "waiting",
            "free",
            "status",
            "status_display",
            "team",
            "team_name",
            "area_path",
        ]


class VolunteerSignUpSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    volunteer_name = serializers.CharField(source="volunteer.name", read_only=True)
    activity_title = serializers.CharField(source="activity.title", read_only=True)

    class Meta:
        model = SignUp
        fields = [
            "id",
            "activity",
            "activity_title",
            "volunteer",
            "volunteer_name",
            "status",
            "status_display",
            "created_at",
            "promoted_at",
            "signed_in_at",
            "signed_out_at",
        ]


class VolunteerHoursSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    volunteer_name = serializers.CharField(source="volunteer.name", read_only=True)

    class Meta:
        model = HoursRecord
        fields = [
            "id",
            "volunteer",
            "volunteer_name",
            "activity",
            "source",
            "source_display",
            "status",
            "status_display",
            "served_on",
            "hours",
            "content",
            "reason",
            "area_path",
            "decided_at",
        ]


class VolunteerHoursInput(serializers.Serializer):
    served_on = serializers.DateField(help_text="服务日期")
    hours = serializers.CharField(max_length=8, help_text="时长（小时，最多1位小数）")
    content = serializers.CharField(max_length=200, allow_blank=True, help_text="服务内容")


class VolunteerReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200, allow_blank=True, help_text="退回原因")


class VolunteerCodeInput(serializers.Serializer):
    code = serializers.CharField(max_length=80, help_text="活动现场屏幕上的签到二维码内容")
