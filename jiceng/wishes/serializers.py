"""API shapes of 微心愿: the beneficiary as :class:`jiceng.wishes.privacy.WishPrivacy` shows it."""

from rest_framework import serializers

from .models import Wish
from .privacy import WishPrivacy


class WishSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    community = serializers.SlugRelatedField(slug_field="code", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    beneficiary = serializers.SerializerMethodField(help_text="心愿人（社区工作人员可见完整信息，其他人脱敏）")
    claimer_name = serializers.CharField(read_only=True)
    has_photo = serializers.SerializerMethodField()

    class Meta:
        model = Wish
        fields = [
            "id",
            "title",
            "content",
            "status",
            "status_display",
            "community",
            "community_name",
            "beneficiary",
            "claimer_member",
            "claimer_unit",
            "claimer_name",
            "claimed_at",
            "delivered_at",
            "has_photo",
            "confirmed_at",
            "confirmed_for",
            "created_at",
        ]
        read_only_fields = fields

    def get_beneficiary(self, wish) -> dict:
        request = self.context.get("request")
        privacy = self.context.setdefault("_privacy", WishPrivacy(getattr(request, "user", None)))
        shown = privacy.shown(wish)
        return {"name": shown.name, "phone": shown.phone, "address": shown.address, "full": shown.full}

    def get_has_photo(self, wish) -> bool:
        return bool(wish.photo)


class WishCreateSerializer(serializers.Serializer):
    community = serializers.CharField(max_length=21, help_text="社区编码")
    beneficiary_area = serializers.CharField(max_length=21, help_text="心愿人所在网格或小区编码（须在该社区内）")
    title = serializers.CharField(max_length=60)
    content = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    name = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=120)


class WishClaimInput(serializers.Serializer):
    unit = serializers.IntegerField(required=False, help_text="以驻区单位认领时的单位编号；省略则以党员本人认领")


class WishDeliverInput(serializers.Serializer):
    photo = serializers.FileField(help_text="送达照片（JPG、PNG）")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class WishReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200)
