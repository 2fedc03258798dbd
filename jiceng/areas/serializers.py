from rest_framework import serializers

from jiceng.areas.models import Area, Kind


class AreaSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)  # the city has none
    # Declared so the schema admits the blank kind of a node that has none (a read-only model field
    # loses allow_blank).
    kind = serializers.ChoiceField(choices=Kind.choices, allow_blank=True, read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:area-detail", lookup_field="code")

    class Meta:
        model = Area
        fields = [
            "url",
            "code",
            "name",
            "level",
            "level_display",
            "kind",
            "kind_display",
            "parent",
            "households",
            "population",
            "total_households",
            "total_population",
            "child_count",
            "descendant_count",
            "latitude",
            "longitude",
            "updated_at",
        ]
        read_only_fields = fields
