"""API shapes of 时间银行 (names carry the app's noun: DRF component names are global)."""

from rest_framework import serializers

from .models import Account, Movement


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
