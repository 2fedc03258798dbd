from datetime import date

from rest_framework import serializers

from jiceng.core.api import IdField
from jiceng.core.inputs import validate_date_in_range
from jiceng.core.masking import mask_id_number

from .history import member_history
from .models import Education, Member, MemberEvent, Status, Transfer
from .privacy import MemberPrivacy, Shown


class MemberSerializer(serializers.ModelSerializer):
    """What the caller sees of the personal data is decided by :class:`MemberPrivacy`: ID number
    and phone masked unless the view sets ``reveal`` (a full view, audited), the birth date only
    to holders of the full-data right (others get the year)."""

    url = serializers.HyperlinkedIdentityField(view_name="api:member-detail")
    id_number = serializers.SerializerMethodField(help_text="公民身份号码；未显示完整信息时脱敏，如 1****************X")
    phone = serializers.SerializerMethodField(help_text="手机号；未“显示完整信息”时脱敏，如 138****1234")
    birth_date = serializers.SerializerMethodField(help_text="出生日期；无完整信息权限时为 null，只给出生年份")
    birth_year = serializers.SerializerMethodField(help_text="出生年份")
    gender_display = serializers.CharField(source="get_gender_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    org = serializers.SlugRelatedField(slug_field="code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    can_vote = serializers.BooleanField(read_only=True, help_text="只有正式党员有表决权")
    # Declared so the schema admits the blank value (a read-only model field loses allow_blank).
    education = serializers.ChoiceField(choices=Education.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Member
        fields = [
            "url",
            "id",
            "name",
            "gender",
            "gender_display",
            "ethnicity",
            "birth_date",
            "birth_year",
            "id_number",
            "phone",
            "education",
            "status",
            "status_display",
            "can_vote",
            "application_date",
            "activist_date",
            "candidate_date",
            "admission_date",
            "approval_date",
            "probation_extended_to",
            "full_member_date",
            "exit_date",
            "left_on",
            "org",
            "org_name",
            "org_path",
            "area_path",
            "residence_path",
            "workplace",
            "is_employed",
            "is_center_household",
            "is_mobile",
            "mobile_place",
            "mobile_since",
            "updated_at",
        ]
        read_only_fields = fields

    def _shown(self, member) -> Shown:
        """One decision per member, cached for the row's four fields."""
        context = self.context
        privacy = context.get("privacy")
        if privacy is None:
            request = context.get("request")
            privacy = context["privacy"] = MemberPrivacy(getattr(request, "user", None))
        cached = context.get("shown")
        if cached is None or cached[0] is not member:
            cached = context["shown"] = (member, privacy.shown(member, reveal=bool(context.get("reveal"))))
        return cached[1]

    def get_id_number(self, member) -> str:
        return self._shown(member).id_number

    def get_phone(self, member) -> str:
        return self._shown(member).phone

    def get_birth_date(self, member) -> date | None:
        return self._shown(member).birth_date

    def get_birth_year(self, member) -> int | None:
        return self._shown(member).birth_year


class MemberEventSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()
    from_org = serializers.SlugRelatedField(slug_field="code", read_only=True)
    to_org = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = MemberEvent
        fields = ["at", "on_date", "kind", "summary", "actor", "from_org", "to_org"]
        read_only_fields = fields


class MemberDetailSerializer(MemberSerializer):
    introducers = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    training_hours = serializers.IntegerField(read_only=True)
    talk_date = serializers.DateField(read_only=True, allow_null=True)
    dues_category = serializers.CharField(read_only=True)
    dues_paid_through = serializers.DateField(read_only=True, allow_null=True)

    class Meta(MemberSerializer.Meta):
        fields = [
            *MemberSerializer.Meta.fields,
            "talk_date",
            "training_hours",
            "approval_extended",
            "dues_category",
            "dues_paid_through",
            "introducers",
            "events",
        ]
        read_only_fields = fields

    def get_introducers(self, member) -> list[dict]:
        return [{"id": m.pk, "name": m.name} for m in member.introducers.all()]

    def get_events(self, member) -> list[dict]:
        return MemberEventSerializer(member_history(member, 50), many=True).data


class TransferSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:transfer-detail")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    from_org = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    to_org = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    from_org_name = serializers.CharField(source="from_org.name", read_only=True, default="")
    to_org_name = serializers.CharField(source="to_org.name", read_only=True, default="")
    person_id_number = serializers.SerializerMethodField(help_text="转入人员身份证号（脱敏）")

    class Meta:
        model = Transfer
        fields = [
            "url",
            "id",
            "kind",
            "kind_display",
            "status",
            "status_display",
            "member",
            "person_name",
            "person_id_number",
            "from_org",
            "from_org_name",
            "to_org",
            "to_org_name",
            "external_org_name",
            "letter_no",
            "issued_on",
            "valid_until",
            "receipt_no",
            "received_on",
            "reason",
            "created_at",
            "decided_at",
        ]
        read_only_fields = fields

    def get_person_id_number(self, transfer) -> str:
        return mask_id_number(transfer.person_id_number) if transfer.person_id_number else ""


class TransferCreateSerializer(serializers.Serializer):
    """发起平台内转接：由转出方提出，接收党支部确认接收后生效。"""

    member = IdField(help_text="党员 id")
    to_org = serializers.CharField(help_text="接收党支部的组织编码")
    issued_on = serializers.DateField(
        required=False, help_text="介绍信开具日期，默认今天", validators=[validate_date_in_range]
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


class TransferAcceptSerializer(serializers.Serializer):
    on_date = serializers.DateField(required=False, help_text="接收日期，默认今天", validators=[validate_date_in_range])


class TransferRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, help_text="退回原因")


STATUS_CHOICES = Status.choices
