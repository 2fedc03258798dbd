"""API shapes of 双报到. Phones are shown as ``members.privacy`` decides (masked for a role that
need not see them; the member sees their own)."""

from rest_framework import serializers

from jiceng.core.api import IdField
from jiceng.core.masking import mask_phone
from jiceng.core.scope import scope_for
from jiceng.members.privacy import masked_phone

from .models import Registration, Service, ServicePost, SignUp
from .permissions import REGISTRATION_CONFIRM


def shown_phone(context, registration: Registration) -> str:
    """Masked as ``members.privacy`` decides for lists (``masked_phone``): the full number is only
    on the roster's audited full view. The member sees their own; the community a unit's line."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if registration.member_id is not None:
        if registration.member.user_id is not None and registration.member.user_id == getattr(user, "pk", None):
            return registration.phone
        return masked_phone(registration)
    if user is not None and scope_for(user, REGISTRATION_CONFIRM).covers(registration.area_path):
        return registration.phone  # a unit's contact line, for the community it reported to
    return mask_phone(registration.phone)


class RegistrationSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:dualregistration-detail")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True, default="")
    unit_name = serializers.CharField(source="unit.name", read_only=True, default="")
    org = serializers.SlugRelatedField(slug_field="code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    community = serializers.SlugRelatedField(slug_field="code", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    phone = serializers.SerializerMethodField(help_text="联系电话（按权限脱敏）")

    class Meta:
        model = Registration
        fields = [
            "url",
            "id",
            "kind",
            "kind_display",
            "status",
            "status_display",
            "member",
            "member_name",
            "unit",
            "unit_name",
            "org",
            "org_name",
            "community",
            "community_name",
            "phone",
            "skills",
            "reason",
            "registered_on",
            "decided_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_phone(self, obj) -> str:
        return shown_phone(self.context, obj)


class RegistrationCreateSerializer(serializers.Serializer):
    member = IdField(required=False, allow_null=True, help_text="在职党员的编号（与 unit 二选一；本人登记时省略）")
    unit = IdField(required=False, allow_null=True, help_text="驻区单位的编号（组织报到）")
    community = serializers.RegexField(r"^[0-9]{12}$", help_text="报到社区的12位区划编码")
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    skills = serializers.CharField(required=False, allow_blank=True, max_length=200)


class ServicePostSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:dualpost-detail")
    community = serializers.SlugRelatedField(slug_field="code", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    left = serializers.IntegerField(read_only=True, help_text="剩余名额")

    class Meta:
        model = ServicePost
        fields = [
            "url",
            "id",
            "community",
            "community_name",
            "title",
            "needs",
            "starts_on",
            "ends_on",
            "places",
            "taken",
            "left",
            "status",
            "status_display",
            "created_at",
        ]
        read_only_fields = fields


class ServicePostCreateSerializer(serializers.Serializer):
    community = serializers.RegexField(r"^[0-9]{12}$", help_text="发布社区的12位区划编码")
    title = serializers.CharField(max_length=80)
    needs = serializers.CharField(max_length=300)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    places = serializers.IntegerField(min_value=1, max_value=500)


class SignUpInput(serializers.Serializer):
    member = IdField(required=False, allow_null=True, help_text="社区代为报名时的党员编号；本人报名时省略")


class SignUpSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    post_title = serializers.CharField(source="post.title", read_only=True)

    class Meta:
        model = SignUp
        fields = ["id", "post", "post_title", "registration", "member", "member_name", "created_at"]
        read_only_fields = fields


class ServiceSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:dualservice-detail")
    member_name = serializers.CharField(source="member.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    locked = serializers.BooleanField(read_only=True, help_text="已确认的记录锁定，只能更正（留痕）")

    class Meta:
        model = Service
        fields = [
            "url",
            "id",
            "registration",
            "member",
            "member_name",
            "post",
            "served_on",
            "hours",
            "content",
            "status",
            "status_display",
            "reason",
            "locked",
            "confirmed_at",
            "created_at",
        ]
        read_only_fields = fields


class ServiceCreateSerializer(serializers.Serializer):
    registration = IdField(help_text="报到登记的编号")
    served_on = serializers.DateField()
    hours = serializers.CharField(max_length=10, help_text="服务时长（小时），大于0且不超过24，最多一位小数")
    content = serializers.CharField(max_length=300)
    post = IdField(required=False, allow_null=True, help_text="服务的岗位（可选）")
    confirm = serializers.BooleanField(required=False, default=False, help_text="社区登记时直接确认")
