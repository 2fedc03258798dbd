from rest_framework import serializers

from .models import Grade, Participant, Round


class AppraisalParticipantSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    votes = serializers.DictField(child=serializers.IntegerField(), read_only=True, help_text="各等次得票（不记名）")
    self_assessed = serializers.SerializerMethodField()

    class Meta:
        model = Participant
        fields = [
            "id",
            "member",
            "member_name",
            "can_vote",
            "self_assessed",
            "votes",
            "services",
            "proposed_grade",
            "proposal_note",
            "final_grade",
        ]

    def get_self_assessed(self, row) -> bool:
        return row.self_assessed_at is not None


class AppraisalRoundSerializer(serializers.ModelSerializer):
    org_code = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Round
        fields = ["id", "year", "org_code", "org_name", "status", "status_display", "voters", "ballots", "meeting"]


class AppraisalRoundDetailSerializer(AppraisalRoundSerializer):
    participants = serializers.SerializerMethodField()

    class Meta(AppraisalRoundSerializer.Meta):
        fields = [*AppraisalRoundSerializer.Meta.fields, "decided_at", "decision_note", "participants"]

    def get_participants(self, round_) -> list[dict]:
        rows = round_.participants.select_related("member").order_by("member__name", "id")
        if not self.context.get("staff"):
            # A member sees the names of the people to vote on, not the tallies or proposals.
            return [{"id": r.pk, "member_name": r.member.name} for r in rows]
        return AppraisalParticipantSerializer(rows, many=True).data


class AppraisalRoundCreateSerializer(serializers.Serializer):
    org = serializers.CharField(label="党支部编码", max_length=48)
    year = serializers.IntegerField(label="评议年度")
    meeting = serializers.IntegerField(label="民主评议党员会议", required=False, allow_null=True)


class AppraisalSelfSerializer(serializers.Serializer):
    text = serializers.CharField(label="个人自评", max_length=2000)


class AppraisalBallotSerializer(serializers.Serializer):
    marks = serializers.DictField(
        child=serializers.ChoiceField(choices=Grade.choices),
        help_text="每名评议对象（含本人）一个等次：{评议对象编号: excellent|qualified|basic|unqualified}",
    )


class AppraisalProposalSerializer(serializers.Serializer):
    participant = serializers.IntegerField(label="评议对象编号")
    grade = serializers.ChoiceField(label="建议等次", choices=Grade.choices)
    note = serializers.CharField(label="说明", max_length=300, required=False, allow_blank=True, default="")


class AppraisalDecisionSerializer(serializers.Serializer):
    changes = serializers.DictField(
        child=serializers.ChoiceField(choices=Grade.choices),
        required=False,
        default=dict,
        help_text="支部党员大会改变建议等次的评议对象：{评议对象编号: 等次}",
    )
    note = serializers.CharField(label="决定说明", max_length=300, required=False, allow_blank=True, default="")


class AppraisalOkSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    message = serializers.CharField()
