"""API shapes of 共建清单 (class names carry the app's noun: DRF component names are global)."""

from rest_framework import serializers

from .models import Claim, Item, Kind, Visibility


class CobuildItemSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:cobuilditem-detail")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    left = serializers.IntegerField(read_only=True, help_text="剩余可认领数量")
    offerer_name = serializers.CharField(read_only=True, help_text="资源的提供方（驻区单位或志愿服务队）")

    class Meta:
        model = Item
        fields = [
            "url",
            "id",
            "kind",
            "kind_display",
            "title",
            "description",
            "category",
            "category_name",
            "area",
            "area_name",
            "visibility",
            "quantity",
            "unit_label",
            "taken",
            "left",
            "status",
            "status_display",
            "event",
            "opens_at",
            "expires_on",
            "source_appeal",
            "offered_by_unit",
            "offered_by_team",
            "offerer_name",
            "owner_name",
            "budget",
            "progress",
            "published_at",
        ]
        read_only_fields = fields


class CobuildItemCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(label="清单", choices=Kind.choices)
    title = serializers.CharField(label="名称", max_length=80)
    category = serializers.IntegerField(label="类别编号", min_value=1)
    area = serializers.RegexField(label="发布社区/街道编码", regex=r"^[0-9]{9}([0-9]{3})?$")
    quantity = serializers.IntegerField(label="数量", min_value=1, max_value=100000, default=1)
    unit_label = serializers.CharField(label="计量单位", max_length=8, default="项")
    visibility = serializers.ChoiceField(label="公开范围", choices=Visibility.choices, default=Visibility.COMMUNITY)
    description = serializers.CharField(label="内容", max_length=500, required=False, allow_blank=True, default="")
    expires_on = serializers.DateField(label="截止日期", required=False, allow_null=True, default=None)
    event = serializers.IntegerField(label="招亲会编号", required=False, allow_null=True, default=None)
    owner_name = serializers.CharField(label="项目负责人", max_length=40, required=False, allow_blank=True, default="")
    budget = serializers.DecimalField(
        label="预算（元）", max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
    )
    matches = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        help_text="项目对接的需求和资源的编号",
    )


class CobuildClaimInput(serializers.Serializer):
    quantity = serializers.IntegerField(label="认领数量", min_value=1, default=1)
    unit = serializers.IntegerField(
        label="驻区单位编号",
        required=False,
        allow_null=True,
        default=None,
        help_text="代驻区单位认领时填写；省略 unit 和 team 则为党员本人认领",
    )
    team = serializers.IntegerField(
        label="志愿服务队编号",
        required=False,
        allow_null=True,
        default=None,
        help_text="以志愿队名义认领时填写（须为该队队长）",
    )
    note = serializers.CharField(label="认领说明", max_length=300, required=False, allow_blank=True, default="")


class CobuildClaimSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:cobuildclaim-detail")
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    claimer_kind_display = serializers.CharField(source="get_claimer_kind_display", read_only=True)
    claimer_name = serializers.CharField(read_only=True)
    item_title = serializers.CharField(source="item.title", read_only=True)

    class Meta:
        model = Claim
        fields = [
            "url",
            "id",
            "item",
            "item_title",
            "claimer_kind",
            "claimer_kind_display",
            "unit",
            "member",
            "team",
            "claimer_name",
            "quantity",
            "status",
            "status_display",
            "note",
            "reason",
            "result",
            "served",
            "beneficiary_rating",
            "beneficiary_comment",
            "publisher_rating",
            "publisher_comment",
            "created_at",
            "decided_at",
            "completed_at",
        ]
        read_only_fields = fields
