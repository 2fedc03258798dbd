from rest_framework import serializers

from .models import Agreement, Duty, Review


class PartnerDutySerializer(serializers.ModelSerializer):
    side_display = serializers.CharField(source="get_side_display", read_only=True)

    class Meta:
        model = Duty
        fields = ["id", "side", "side_display", "content", "due_on", "done_on"]


class PartnerReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = Review
        fields = ["id", "year", "score", "comment", "reviewed_on"]


class PartnerAgreementSerializer(serializers.ModelSerializer):
    community_org = serializers.SlugRelatedField(slug_field="code", read_only=True)
    community_org_name = serializers.CharField(source="community_org.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    unit_org = serializers.SlugRelatedField(slug_field="code", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    duties = PartnerDutySerializer(many=True, read_only=True)
    reviews = PartnerReviewSerializer(many=True, read_only=True)
    resource_items = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="承诺投入的资源关联的资源清单事项（共建清单的 id）"
    )

    class Meta:
        model = Agreement
        fields = [
            "id",
            "title",
            "status",
            "status_display",
            "community_org",
            "community_org_name",
            "unit",
            "unit_name",
            "unit_org",
            "content",
            "resources",
            "resource_items",
            "community_contact",
            "unit_contact",
            "signed_on",
            "ends_on",
            "duties",
            "reviews",
        ]
        read_only_fields = fields
