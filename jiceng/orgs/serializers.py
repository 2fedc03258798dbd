from rest_framework import serializers

from jiceng.orgs.models import CommitteePost, Department, Org, PartTimeMember, ResidentUnit


class OrgSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:org-detail", lookup_field="code")
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    org_type_display = serializers.CharField(source="get_org_type_display", read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)

    class Meta:
        model = Org
        fields = [
            "url",
            "code",
            "name",
            "short_name",
            "org_type",
            "org_type_display",
            "category",
            "category_display",
            "parent",
            "area",
            "area_path",
            "founded_on",
            "term_start",
            "term_end",
            "full_members",
            "probationary_members",
            "total_members",
            "total_full_members",
            "child_count",
            "is_active",
            "updated_at",
        ]
        read_only_fields = fields


class CommitteePostSerializer(serializers.ModelSerializer):
    post_display = serializers.CharField(source="get_post_display", read_only=True)
    is_vacant = serializers.SerializerMethodField()

    class Meta:
        model = CommitteePost
        fields = ["id", "post", "post_display", "holder_name", "start_on", "end_on", "vacant_since", "is_vacant"]
        read_only_fields = fields

    def get_is_vacant(self, obj) -> bool:
        return not obj.holder_name


class PartTimeMemberSerializer(serializers.ModelSerializer):
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    unit = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True, default="")

    class Meta:
        model = PartTimeMember
        fields = ["id", "role", "role_display", "person_name", "unit", "unit_name", "job_title", "start_on", "end_on"]
        read_only_fields = fields


class OrgDetailSerializer(OrgSerializer):
    """The detail adds the current committee and part-time members."""

    committee = CommitteePostSerializer(many=True, read_only=True, source="current_posts")
    part_time_members = PartTimeMemberSerializer(many=True, read_only=True, source="current_part_time")

    class Meta(OrgSerializer.Meta):
        fields = [*OrgSerializer.Meta.fields, "committee", "part_time_members"]
        read_only_fields = fields


class ResidentUnitSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:residentunit-detail")
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    party_org = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = ResidentUnit
        fields = ["url", "id", "name", "kind", "kind_display", "area", "area_path", "party_org", "contact_name"]
        read_only_fields = fields


class DepartmentSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:department-detail")
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    areas_served = serializers.SlugRelatedField(slug_field="code", read_only=True, many=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Department
        fields = ["url", "id", "name", "level", "level_display", "area", "area_path", "areas_served"]
        read_only_fields = fields
