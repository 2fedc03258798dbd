"""API shapes of 时间银行 (names carry the app's noun: DRF component names are global)."""

from rest_framework import serializers

from jiceng.core.api import IdField

from .models import Account, Movement, Redemption


class TimebankAccountSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Account
        fields = ["id", "kind", "kind_display", "name", "area_path", "balance", "movement_count"]


class TimebankMovementSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    debit_name = serializers.CharField(source="debit.name", read_only=True)
    credit_name = serializers.CharField(source="credit.name", read_only=True)

    class Meta:
        model = Movement
        fields = [
            "id",
            "kind",
            "kind_display",
            "debit",
            "debit_name",
            "credit",
            "credit_name",
            "amount",
            "memo",
            "reverses",
            "created_at",
        ]


class TimebankStatementSerializer(serializers.Serializer):
    account = TimebankAccountSerializer()
    movements = TimebankMovementSerializer(many=True)
    next_before = serializers.IntegerField(allow_null=True, help_text="下一页：?before=此值")


class TimebankReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200, allow_blank=True, help_text="冲正原因")


class TimebankRedemptionSerializer(serializers.ModelSerializer):
    beneficiary_name = serializers.CharField(source="beneficiary.name", read_only=True)
    server_name = serializers.CharField(source="server.name", read_only=True)
    server_community = serializers.CharField(source="server.community.name", read_only=True)

    class Meta:
        model = Redemption
        fields = [
            "id",
            "beneficiary",
            "beneficiary_name",
            "server",
            "server_name",
            "server_community",
            "hours",
            "content",
            "served_on",
            "movement",
            "created_at",
        ]


class TimebankRedeemInput(serializers.Serializer):
    beneficiary = IdField(label="受益人（志愿者编号）", help_text="本社区登记的志愿者，年满规定年龄")
    server = IdField(label="服务志愿者（志愿者编号）", help_text="可为全市任何社区的志愿者（通存通兑）")
    hours = serializers.CharField(label="兑换时长（小时）", max_length=8, help_text="1小时兑换1小时，最多1位小数")
    content = serializers.CharField(label="服务内容", max_length=200)
    served_on = serializers.DateField(label="服务日期", required=False, help_text="默认今天")
    request_key = serializers.CharField(
        label="提交标识",
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="客户端为一次提交生成的标识（如 UUID）：同一标识重复提交只登记一次，返回第一次的结果",
    )
