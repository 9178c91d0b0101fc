"""REST for the organisation: reference data read-only, the year's thresholds editable by the bureau.

Towns, villages, villager groups and departments are edited in the admin; through
the API they are pick-lists, scoped like everything else. Every queryset comes from
``organization.selectors`` and every write from ``organization.services``.
"""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.routers import DefaultRouter

from . import selectors
from .filters import TownFilter, VillageFilter, VillagerGroupFilter
from .models import Department, PolicySettings, Town, Village, VillagerGroup
from .services import policy_settings_save

MSG_COUNTY_ONLY = "只有县扶贫局可以修改政策参数"


class TownSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Town
        fields = ["id", "code", "name", "kind", "kind_display"]


class VillageSerializer(serializers.ModelSerializer):
    town_name = serializers.CharField(source="town.name", read_only=True)

    class Meta:
        model = Village
        fields = ["id", "code", "name", "town", "town_name", "has_poverty_task"]


class VillagerGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = VillagerGroup
        fields = ["id", "name", "village"]


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name", "short_name"]


class PolicySettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = PolicySettings
        exclude = ["id"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            # A year's row is addressed by its year; it is never renumbered.
            fields["year"].read_only = True
        return fields


class TownViewSet(viewsets.ReadOnlyModelViewSet):
    """镇（园区）: the towns the user's scope reaches."""

    serializer_class = TownSerializer
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = TownFilter
    ordering_fields = ["code", "name"]

    def get_queryset(self):
        return selectors.town_list(user=self.request.user)


class VillageViewSet(viewsets.ReadOnlyModelViewSet):
    """村（社区）: the villages the user's scope reaches."""

    serializer_class = VillageSerializer
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = VillageFilter
    ordering_fields = ["code", "name"]

    def get_queryset(self):
        return selectors.village_list(user=self.request.user)


class VillagerGroupViewSet(viewsets.ReadOnlyModelViewSet):
    """村民小组: the groups of the villages the user's scope reaches; ``?village=`` gives one
    village's, which is how the household form offers the groups of the village chosen."""

    serializer_class = VillagerGroupSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = VillagerGroupFilter

    def get_queryset(self):
        return selectors.group_list(user=self.request.user)


class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    """县直部门: the sixteen departments of 三(四)2, a directory for every signed-in user."""

    serializer_class = DepartmentSerializer

    def get_queryset(self):
        return selectors.department_list(user=self.request.user)


class CountyWritesPolicy(permissions.BasePermission):
    """Everyone reads the thresholds; only the county bureau sets them (三(六)).

    The service refuses too; checking here first answers 403 before a
    refused user's payload is validated.
    """

    message = MSG_COUNTY_ONLY

    def has_permission(self, request, view) -> bool:
        return request.method in permissions.SAFE_METHODS or request.user.is_county


@extend_schema_view(
    list=extend_schema(summary="各年度政策参数"),
    retrieve=extend_schema(summary="某年度政策参数"),
    create=extend_schema(summary="新建某年度政策参数（县扶贫局）"),
    update=extend_schema(summary="修改某年度政策参数（县扶贫局）"),
    partial_update=extend_schema(summary="修改某年度政策参数（县扶贫局）"),
)
class PolicySettingsViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """政策参数, one row per year, addressed by the year (``/api/policy/2021/``)."""

    serializer_class = PolicySettingsSerializer
    permission_classes = [permissions.IsAuthenticated, CountyWritesPolicy]
    lookup_field = "year"
    lookup_value_regex = r"\d{4}"

    def get_queryset(self):
        return selectors.policy_list(user=self.request.user)

    def perform_create(self, serializer) -> None:
        values = dict(serializer.validated_data)
        year = values.pop("year")
        serializer.instance = policy_settings_save(
            actor=self.request.user, year=year, values=values
        )

    def perform_update(self, serializer) -> None:
        serializer.instance = policy_settings_save(
            actor=self.request.user,
            year=serializer.instance.year,
            values=dict(serializer.validated_data),
        )


router = DefaultRouter()
router.register("towns", TownViewSet, basename="town")
router.register("villages", VillageViewSet, basename="village")
router.register("villager-groups", VillagerGroupViewSet, basename="villager-group")
router.register("departments", DepartmentViewSet, basename="department")
router.register("policy", PolicySettingsViewSet, basename="policy")
