from rest_framework import serializers

from .models import Consultation


class ConsultationSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    follow_up_status_display = serializers.CharField(source="get_follow_up_status_display", read_only=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    units = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    members = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    items = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="议定事项转成的共建清单需求和项目（/api/v1/cobuild-items/ 的 id）"
    )

    class Meta:
        model = Consultation
        fields = [
            "id",
            "kind",
            "kind_display",
            "held_on",
            "area",
            "area_name",
            "title",
            "topics",
            "decisions",
            "residents",
            "unit_reps",
            "member_reps",
            "owners_committee",
            "units",
            "members",
            "items",
            "follow_up",
            "follow_up_status",
            "follow_up_status_display",
            "created_at",
        ]
        read_only_fields = fields
