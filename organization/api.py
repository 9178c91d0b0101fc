"""REST for the organisation: reference data read-only, the year's thresholds editable by the
bureau, and the accounts each editor manages.

Towns, villages, villager groups and departments are edited in the admin; through
the API they are pick-lists, scoped like everything else. Every queryset comes from
``organization.selectors`` and every write from ``organization.services``.
"""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from . import selectors, services
from .filters import AuditEntryFilter, TownFilter, UserFilter, VillageFilter, VillagerGroupFilter
from .models import AuditEntry, Department, PolicySettings, Town, User, Village, VillagerGroup
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


# --- accounts (二; 三(三), 三(八)1 for helpers) -------------------------------------------------

MSG_NOT_IN_SCOPE = "对象不存在或不在您的管辖范围内"


class UserSerializer(serializers.ModelSerializer):
    """An account. Role and scope are ids the editor may assign (``account_choices``): another
    town's village reads as unknown (400). ``is_active`` changes through ``deactivate`` and
    ``reactivate``, the password through ``reset-password``."""

    full_name = serializers.CharField(source="get_full_name", read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    scope_label = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = [
            "id", "username", "last_name", "first_name", "full_name", "phone", "email",
            "role", "role_display", "town", "village", "department", "help_unit", "scope_label",
            "is_active", "must_change_password", "last_login", "date_joined",
        ]  # fmt: skip
        read_only_fields = ["is_active", "must_change_password", "last_login", "date_joined"]
        extra_kwargs = {
            "last_name": {"label": "姓"},
            "first_name": {"label": "名"},
            # The service checks it, blind to case, with its own message.
            "username": {"validators": []},
        }

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None:  # the schema is generated without a request
            return fields
        choices = selectors.account_choices(user=user)
        for name, queryset in (
            ("town", choices.towns),
            ("village", choices.villages),
            ("department", choices.departments),
            ("help_unit", choices.help_units),
        ):
            fields[name].queryset = queryset
            fields[name].error_messages["does_not_exist"] = MSG_NOT_IN_SCOPE
        return fields


class UserCreatedSerializer(UserSerializer):
    one_time_password = serializers.CharField(
        read_only=True, help_text="一次性密码，只在本次应答中出现，系统不保存明文；请当面交给本人"
    )

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "one_time_password"]


class UserDeactivateSerializer(serializers.Serializer):
    reason = serializers.CharField(
        label="停用原因", max_length=services.REASON_MAX, required=False, allow_blank=True
    )


class OneTimePasswordSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    one_time_password = serializers.CharField(
        read_only=True, help_text="一次性密码，只在本次应答中出现，系统不保存明文；请当面交给本人"
    )


class ManagesAccounts(permissions.BasePermission):
    """Listing and creating accounts is the county bureau's and the towns'. An account's own
    address is looked up first, so another scope's account is 404 for everyone."""

    message = "您没有管理账号的权限"

    def has_permission(self, request, view) -> bool:
        if view.action not in {"list", "create"}:
            return True
        return selectors.can_manage_accounts(request.user)


@extend_schema_view(
    list=extend_schema(summary="我管理的账号"),
    retrieve=extend_schema(summary="某个账号"),
    create=extend_schema(summary="新建账号（应答含一次性密码）", responses=UserCreatedSerializer),
    update=extend_schema(summary="修改账号"),
    partial_update=extend_schema(summary="修改账号"),
)
class UserViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """用户: the accounts the signed-in editor manages (``selectors.managed_user_list``).
    Accounts are never deleted (DELETE answers 405): ``deactivate`` instead."""

    serializer_class = UserSerializer
    permission_classes = [permissions.IsAuthenticated, ManagesAccounts]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = UserFilter
    ordering_fields = ["id", "username", "role", "date_joined", "last_login"]
    ordering = ["id"]

    def get_queryset(self):
        return selectors.managed_user_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user, password = services.user_create(actor=request.user, **serializer.validated_data)
        data = UserSerializer(self._fresh(user), context=self.get_serializer_context()).data
        response = Response({**data, "one_time_password": password}, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response

    def perform_update(self, serializer) -> None:
        user = services.user_update(
            actor=self.request.user, user=serializer.instance, **serializer.validated_data
        )
        serializer.instance = self._fresh(user)

    def _fresh(self, user: User) -> User:
        return self.get_queryset().filter(pk=user.pk).first() or user

    def _respond(self, user: User) -> Response:
        return Response(self.get_serializer(self._fresh(user)).data)

    @extend_schema(request=UserDeactivateSerializer, summary="停用账号")
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        user = self.get_object()
        serializer = UserDeactivateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reason = serializer.validated_data.get("reason", "")
        return self._respond(services.user_deactivate(actor=request.user, user=user, reason=reason))

    @extend_schema(request=None, summary="启用账号")
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        return self._respond(services.user_reactivate(actor=request.user, user=self.get_object()))

    @extend_schema(request=None, responses=OneTimePasswordSerializer, summary="重置密码")
    @action(detail=True, methods=["post"], url_path="reset-password")
    def reset_password(self, request, pk=None):
        user = self.get_object()
        password = services.user_reset_password(actor=request.user, user=user)
        response = Response(
            {"id": user.pk, "username": user.username, "one_time_password": password}
        )
        response["Cache-Control"] = "no-store"
        return response


class AuditEntrySerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    user_name = serializers.CharField(source="user.get_full_name", read_only=True)

    class Meta:
        model = AuditEntry
        fields = [
            "id", "at", "user", "username", "user_name", "kind", "kind_display", "what",
            "detail", "rows", "path", "ip_address",
        ]  # fmt: skip
        read_only_fields = fields


class ReviewsAuditLog(permissions.BasePermission):
    message = "只有县扶贫局可以查看个人信息查阅记录"

    def has_permission(self, request, view) -> bool:
        return selectors.may_review_audit_log(request.user)


@extend_schema_view(
    list=extend_schema(summary="个人信息查阅记录（县扶贫局）"),
    retrieve=extend_schema(summary="一条查阅记录"),
)
class AuditEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """Who saw personal data, when and which: exports, downloads, comparison data and ID-number
    searches, newest first. The county bureau only; entries are never changed or deleted."""

    serializer_class = AuditEntrySerializer
    permission_classes = [permissions.IsAuthenticated, ReviewsAuditLog]
    filter_backends = [DjangoFilterBackend]
    filterset_class = AuditEntryFilter

    def get_queryset(self):
        return selectors.audit_entries(user=self.request.user)


router = DefaultRouter()
router.register("towns", TownViewSet, basename="town")
router.register("villages", VillageViewSet, basename="village")
router.register("villager-groups", VillagerGroupViewSet, basename="villager-group")
router.register("departments", DepartmentViewSet, basename="department")
router.register("policy", PolicySettingsViewSet, basename="policy")
router.register("users", UserViewSet, basename="user")
router.register("audit-log", AuditEntryViewSet, basename="audit-log")
