"""API shapes of appeals, their timeline, whistles and summons. Reporter contact is masked by role."""

from django.urls import reverse
from rest_framework import serializers

from jiceng.appeals import services
from jiceng.appeals.models import (
    Appeal,
    AppealEvent,
    AppealPhoto,
    Channel,
    Extension,
    Kind,
    Outcome,
    Satisfaction,
    Status,
    Urgency,
    Whistle,
    WhistleCase,
    WhistleSummons,
)
from jiceng.core.api import IdField, PrebuiltFieldsMixin
from jiceng.core.phones import PHONE_HELP, validate_phone


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


# What the reporter's view shows instead of an internal field: the field's value before any step.
_NEUTRAL = {name: Appeal._meta.get_field(name).get_default() for name in services.INTERNAL_FIELDS}


def staff_view(serializer, appeal_id: int, appeal=None) -> bool:
    """:func:`services.staff_view` once per appeal and serialisation (kept in the shared context);
    ``appeal`` may be a callable that loads it, called only when the answer is not known yet."""
    cache = serializer.context.setdefault("_staff_view", {})
    if appeal_id not in cache:
        cache[appeal_id] = services.staff_view(_user(serializer), appeal() if callable(appeal) else appeal)
    return cache[appeal_id]


def reporter_view(data: dict) -> dict:
    """``data`` with the internal fields (``services.INTERNAL_FIELDS``) neutral."""
    for name, value in _NEUTRAL.items():
        if name in data:
            data[name] = value
    return data


class AppealSerializer(PrebuiltFieldsMixin, serializers.ModelSerializer):
    """A row of the list: no description, no timeline; the reporter masked unless allowed."""

    url = serializers.HyperlinkedIdentityField(view_name="api:appeal-detail")
    channel_display = serializers.CharField(source="get_channel_display", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    urgency_display = serializers.CharField(source="get_urgency_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category_name = serializers.CharField(source="category.full_name", read_only=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    assigned_area = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    assignee_name = serializers.CharField(read_only=True)
    reporter_name = serializers.SerializerMethodField()

    class Meta:
        model = Appeal
        fields = [
            "url",
            "id",
            "number",
            "channel",
            "channel_display",
            "kind",
            "kind_display",
            "category",
            "category_name",
            "urgency",
            "urgency_display",
            "title",
            "status",
            "status_display",
            "area",
            "area_name",
            "area_path",
            "address",
            "assigned_area",
            "assigned_department",
            "assignee_name",
            "reporter_name",
            "created_at",
            "dispatch_due",
            "answer_due",
            "deadline_fallback",
            "dispatch_overdue",
            "answer_overdue",
            "extension_pending",
            "supervised",
            "reopen_count",
            "closed_at",
        ]
        read_only_fields = fields

    def get_reporter_name(self, appeal) -> str:
        return services.display_reporter(_user(self), appeal)[0]

    def to_representation(self, appeal):
        data = super().to_representation(appeal)
        return data if staff_view(self, appeal.pk, appeal) else reporter_view(data)


class EventSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    # Blank on events that change no status (a note, a photo); the schema must admit "".
    from_status = serializers.ChoiceField(choices=Status.choices, allow_blank=True, read_only=True)
    to_status = serializers.ChoiceField(choices=Status.choices, allow_blank=True, read_only=True)
    photos = serializers.SerializerMethodField()

    class Meta:
        model = AppealEvent
        fields = [
            "id",
            "kind",
            "kind_display",
            "at",
            "actor_name",
            "from_status",
            "to_status",
            "note",
            "public",
            "target_name",
            "photos",
        ]
        read_only_fields = fields

    def get_photos(self, event) -> list[str]:
        return [photo_url(self.context.get("request"), p) for p in event.photos.all()]

    def to_representation(self, event):
        data = super().to_representation(event)
        if not staff_view(self, event.appeal_id, lambda: event.appeal):
            data["actor_name"] = ""  # the reporter's view names no staff member (as the page)
        return data


def photo_url(request, photo: AppealPhoto) -> str:
    path = reverse("api:appeal-photo", kwargs={"pk": photo.appeal_id, "photo_id": photo.pk})
    return request.build_absolute_uri(path) if request is not None else path


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    stage_display = serializers.CharField(source="get_stage_display", read_only=True)

    class Meta:
        model = AppealPhoto
        fields = ["id", "stage", "stage_display", "content_type", "size", "created_at", "url"]
        read_only_fields = fields

    def get_url(self, photo) -> str:
        return photo_url(self.context.get("request"), photo)


class ExtensionSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Extension
        fields = [
            "id",
            "workdays",
            "reason",
            "status",
            "status_display",
            "requested_at",
            "old_due",
            "new_due",
            "new_due_fallback",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields


class AppealDetailSerializer(AppealSerializer):
    """One appeal with its timeline, photos, what the user may do now and the dispatch suggestion."""

    reporter_phone = serializers.SerializerMethodField()
    answer_result_display = serializers.CharField(source="get_answer_result_display", read_only=True)
    outcome_display = serializers.CharField(source="get_outcome_display", read_only=True)
    satisfaction_display = serializers.CharField(source="get_satisfaction_display", read_only=True)
    merged_into = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    # Blank until the step happens; declared so the schema admits "" (read-only fields lose allow_blank).
    answer_result = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True, read_only=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True, read_only=True)
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices, allow_blank=True, read_only=True)
    events = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    extensions = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    suggestion = serializers.SerializerMethodField()

    class Meta(AppealSerializer.Meta):
        fields = [
            *AppealSerializer.Meta.fields,
            "description",
            "attributes",
            "latitude",
            "longitude",
            "location_source",
            "reporter_phone",
            "dispatched_at",
            "signed_at",
            "answered_at",
            "rated_at",
            "response_due",
            "response_overdue",
            "extension_count",
            "supervise_note",
            "return_count",
            "merged_into",
            "answer_text",
            "answer_result",
            "answer_result_display",
            "outcome",
            "outcome_display",
            "satisfaction",
            "satisfaction_display",
            "rating_comment",
            "events",
            "photos",
            "extensions",
            "actions",
            "suggestion",
        ]
        read_only_fields = fields

    def get_reporter_phone(self, appeal) -> str:
        return services.display_reporter(_user(self), appeal)[1]

    def get_events(self, appeal) -> list[dict]:
        staff_view(self, appeal.pk, appeal)  # known before the events ask
        events = services.appeal_events(_user(self), appeal).prefetch_related("photos").order_by("at", "id")
        return EventSerializer(events, many=True, context=self.context).data

    def get_photos(self, appeal) -> list[dict]:
        return PhotoSerializer(appeal.photos.all(), many=True, context=self.context).data

    def get_extensions(self, appeal) -> list[dict]:
        if not staff_view(self, appeal.pk, appeal):
            return []
        return ExtensionSerializer(appeal.extensions.all(), many=True).data

    def get_actions(self, appeal) -> list[str]:
        from jiceng.appeals.actions import available_actions

        return available_actions(_user(self), appeal)

    def get_suggestion(self, appeal) -> dict | None:
        if "dispatch" not in self.get_actions(appeal):
            return None
        suggestion = services.suggest_dispatch(appeal)
        return {
            "area": suggestion.area.code if suggestion.area else None,
            "department": suggestion.department.pk if suggestion.department else None,
            "name": suggestion.target_name,
            "reason": suggestion.reason,
        }


# --------------------------------------------------------------------------- inputs


class AppealCreateSerializer(PrebuiltFieldsMixin, serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.RESIDENT)
    kind = serializers.ChoiceField(choices=Kind.choices, default=Kind.APPEAL)
    category = serializers.CharField(max_length=15, help_text="诉求类别编码")
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    title = serializers.CharField(max_length=100, required=False, allow_blank=True)
    description = serializers.CharField(max_length=4000)
    area = serializers.CharField(max_length=21, required=False, allow_blank=True, help_text="所在区划编码（可到楼栋）")
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    reporter_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    reporter_phone = serializers.CharField(
        max_length=30, required=False, allow_blank=True, validators=[validate_phone], help_text=PHONE_HELP
    )
    attributes = serializers.DictField(required=False)
    client_token = serializers.CharField(max_length=64, required=False, allow_blank=True)
    photos = serializers.ListField(child=serializers.FileField(), required=False)


# Inputs of the workflow actions (jiceng.appeals.actions): the API's request bodies and their schema;
# the pages derive their forms from the same fields. ``style``: ``rows`` makes a text area, ``radio``
# radio buttons, ``pick`` a choice list the page fills from the object (its choices are per object),
# ``hint`` the page's help text when it differs from the API's.
TEXTAREA = {"rows": 2}


class DispatchSerializer(serializers.Serializer):
    target = serializers.CharField(
        label="承办单位",
        max_length=24,
        required=False,
        allow_blank=True,
        style={"pick": True, "hint": ""},
        help_text="页面的承办单位选项（a:区划 id 或 d:部门 id）；API 调用用 area 或 department",
    )
    area = serializers.CharField(max_length=21, required=False, allow_blank=True, help_text="承办区划编码")
    department = IdField(required=False, allow_null=True, help_text="承办部门")
    note = serializers.CharField(label="派单说明", max_length=500, required=False, allow_blank=True)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class SignSerializer(serializers.Serializer):
    note = serializers.CharField(label="签收说明", max_length=500, required=False, allow_blank=True)


class ProgressSerializer(serializers.Serializer):
    note = serializers.CharField(label="说明", max_length=2000, style=TEXTAREA)
    photos = serializers.ListField(label="现场照片", child=serializers.FileField(), required=False)


class AnswerSerializer(serializers.Serializer):
    text = serializers.CharField(label="答复内容", max_length=4000, style={"rows": 3})
    result = serializers.ChoiceField(label="办理结果", choices=Outcome.choices)
    photos = serializers.ListField(label="照片", child=serializers.FileField(), required=False)


class RateSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(label="是否解决", choices=Outcome.choices, style={"radio": True})
    satisfaction = serializers.ChoiceField(label="是否满意", choices=Satisfaction.choices, style={"radio": True})
    comment = serializers.CharField(label="评价意见", max_length=500, required=False, allow_blank=True)


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(label="理由", max_length=500)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(label="撤销理由", max_length=500, style=TEXTAREA)


class CloseSerializer(serializers.Serializer):
    note = serializers.CharField(
        label="办结说明",
        max_length=500,
        required=False,
        allow_blank=True,
        style=TEXTAREA,
        help_text="评价为不满意或未解决后办结的，须说明理由。",
    )


class ReopenSerializer(serializers.Serializer):
    note = serializers.CharField(label="重办要求", max_length=500, style=TEXTAREA)


class SuperviseSerializer(serializers.Serializer):
    note = serializers.CharField(label="理由", max_length=500)


class ExtendSerializer(serializers.Serializer):
    # The upper limit is a city rule: the service says it in its refusal.
    workdays = serializers.IntegerField(label="延长工作日", min_value=1)
    reason = serializers.CharField(label="延期理由", max_length=500, style=TEXTAREA)


class ExtensionDecisionSerializer(serializers.Serializer):
    extension = IdField(required=False, help_text="延期申请 id（不填为待审批的那一件）")
    approve = serializers.BooleanField(label="审批结果", help_text="true 批准，false 驳回（驳回须填写审批意见）")
    note = serializers.CharField(label="审批意见", max_length=500, required=False, allow_blank=True, style=TEXTAREA)


class MergeSerializer(serializers.Serializer):
    into = IdField(required=False, help_text="合并到的诉求 id（或用 number 给出工单编号）")
    number = serializers.CharField(
        label="合并到工单编号", max_length=24, required=False, help_text="填写同一事项先受理的工单编号。"
    )
    note = serializers.CharField(label="合并说明", max_length=500, required=False, allow_blank=True)


class AppealWhistleSerializer(serializers.Serializer):
    case = serializers.ChoiceField(label="吹哨情形", choices=WhistleCase.choices)
    title = serializers.CharField(label="事项", max_length=100)
    departments = serializers.ListField(label="召集部门", child=IdField(), min_length=1)


class WhistleCreateSerializer(serializers.Serializer):
    area = serializers.CharField(max_length=21, help_text="吹哨的街道或社区编码")
    case = serializers.ChoiceField(choices=WhistleCase.choices)
    title = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    departments = serializers.ListField(child=IdField(), min_length=1)
    appeal = IdField(required=False, allow_null=True)


class PlanSerializer(serializers.Serializer):
    plan = serializers.CharField(label="处置措施", max_length=2000)


class FeedbackSerializer(serializers.Serializer):
    feedback = serializers.CharField(label="办理反馈", max_length=2000)


class SummonsRateSerializer(serializers.Serializer):
    # The city's scale (appeals.summons_rating_scale), checked when the value comes in.
    rating = serializers.IntegerField(label="评价分", min_value=0, max_value=100)
    note = serializers.CharField(label="评价意见", max_length=500, required=False, allow_blank=True)

    def validate_rating(self, value: int) -> int:
        from jiceng.appeals.services.whistles import rating_scale

        low, high = rating_scale()
        if not low <= value <= high:
            raise serializers.ValidationError(f"评价分应为{low}—{high}分。")
        return value


class CloseWhistleSerializer(serializers.Serializer):
    note = serializers.CharField(label="结束说明", max_length=500, required=False, allow_blank=True)


class ApiErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(required=False, help_text="各字段的错误（仅 400 参数错误）")


class ApiErrorSerializer(serializers.Serializer):
    """Every API error: ``{"error": {"status", "code", "message", "fields"?}}``."""

    error = ApiErrorDetailSerializer()


# --------------------------------------------------------------------------- whistles


class SummonsSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:whistlesummons-detail")
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    whistle_title = serializers.CharField(source="whistle.title", read_only=True)
    case = serializers.CharField(source="whistle.case", read_only=True)
    appeal = serializers.IntegerField(source="whistle.appeal_id", read_only=True, allow_null=True)

    class Meta:
        model = WhistleSummons
        fields = [
            "url",
            "id",
            "whistle",
            "whistle_title",
            "case",
            "appeal",
            "department",
            "department_name",
            "status",
            "status_display",
            "report_due",
            "reported_at",
            "on_time",
            "plan",
            "feedback",
            "fed_back_at",
            "rating",
            "rating_note",
            "rated_at",
            "escalated_at",
        ]
        read_only_fields = fields


class WhistleSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:whistle-detail")
    case_display = serializers.CharField(source="get_case_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    summons = serializers.SerializerMethodField()

    class Meta:
        model = Whistle
        fields = [
            "url",
            "id",
            "area",
            "area_name",
            "appeal",
            "case",
            "case_display",
            "title",
            "description",
            "address",
            "report_due",
            "status",
            "status_display",
            "blown_at",
            "closed_at",
            "summons",
        ]
        read_only_fields = fields

    def get_summons(self, whistle) -> list[dict]:
        rows = whistle.summons.all()
        return [
            {
                "id": s.pk,
                "department": s.department_id,
                "department_name": s.department.name,
                "status": s.status,
                "status_display": s.get_status_display(),
                "reported_at": s.reported_at,
                "on_time": s.on_time,
                "rating": s.rating,
                "escalated_at": s.escalated_at,
            }
            for s in rows
        ]
