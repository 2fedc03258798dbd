from rest_framework import serializers

from .models import Award


class PointAwardSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    source_kind_display = serializers.CharField(source="get_source_kind_display", read_only=True)

    class Meta:
        model = Award
        fields = [
            "id",
            "member",
            "member_name",
            "source_kind",
            "source_kind_display",
            "source_ref",
            "generation",
            "quantity",
            "points",
            "capped",
            "awarded_on",
            "year",
            "note",
            "reverses",
            "created_at",
        ]
        read_only_fields = fields
