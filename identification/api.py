"""REST for identification: cases with one POST action per step, objections, data sets.

Thin (STYLE.md rule 6): querysets are the scoped selectors (another scope's
case is not found: 404), every step is a service, and the one exception
handler turns a refused rule into 400 and a wrong state into 409, each with
the Chinese message that names the clause.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from households.id_numbers import mask
from households.models import Household, Member, MonitoringSubject, RiskType
from households.selectors import household_scope_q
from organization.models import User, VillagerGroup
from organization.selectors import group_list

from . import selectors, services
from .models import (
    Announcement,
    CaseSource,
    ComparisonDataset,
    ComparisonHit,
    ComparisonKind,
    IdentificationCase,
    Objection,
    Publicity,
)
from .models.steps import TeamRole


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """Chosen by id among what the user may see; another scope's id is "不存在"."""

    def __init__(self, *, scoped, **kwargs):
        self.scoped = scoped
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.scoped(self.context["request"].user)


RiskTypesField = serializers.SlugRelatedField(
    slug_field="code", queryset=RiskType.objects.all(), many=True, label="风险类型（代码）"
)


# --- read ----------------------------------------------------------------------------


class CasePublicitySerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    outcome_display = serializers.CharField(source="get_outcome_display", read_only=True)
    last_day = serializers.DateField(read_only=True)
    due_on = serializers.DateField(read_only=True)

    class Meta:
        model = Publicity
        fields = [
            "id",
            "level",
            "level_display",
            "started_on",
            "days",
            "last_day",
            "due_on",
            "outcome",
            "outcome_display",
            "concluded_at",
        ]
        read_only_fields = fields


class CaseObjectionSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    lodged_by_name = serializers.CharField(source="lodged_by.__str__", read_only=True)

    class Meta:
        model = Objection
        fields = [
            "id",
            "case",
            "publicity",
            "content",
            "raised_by_name",
            "lodged_on",
            "lodged_by",
            "lodged_by_name",
            "lodged_at",
            "status",
            "status_display",
            "decided_by",
            "decided_at",
            "decision_reason",
        ]
        read_only_fields = fields


class CaseSerializer(serializers.ModelSerializer):
    household_name = serializers.CharField(source="household.head_name", read_only=True)
    village = serializers.IntegerField(source="household.village_id", read_only=True)
    village_name = serializers.CharField(source="household.village.name", read_only=True)
    town = serializers.IntegerField(source="household.village.town_id", read_only=True)
    town_name = serializers.CharField(source="household.village.town.name", read_only=True)
    applicant_name = serializers.CharField(source="applicant.name", read_only=True)
    risk_types = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    days_waiting = serializers.SerializerMethodField(label="当前环节已停留天数")
    overdue = serializers.SerializerMethodField(label="超期")
    has_open_objection = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = IdentificationCase
        fields = [
            "id",
            "household",
            "household_name",
            "village",
            "village_name",
            "town",
            "town_name",
            "applicant",
            "applicant_name",
            "applied_on",
            "hardship",
            "risk_types",
            "source",
            "source_display",
            "source_note",
            "state",
            "state_display",
            "state_changed_at",
            "days_waiting",
            "overdue",
            "has_open_objection",
            "closed_step",
            "closed_reason",
            "monitoring_subject",
        ]
        read_only_fields = fields

    def get_days_waiting(self, case: IdentificationCase) -> int:
        return selectors.days_waiting(case)

    def get_overdue(self, case: IdentificationCase) -> bool:
        if "overdue_cutoff" not in self.context:
            self.context["overdue_cutoff"] = selectors.overdue_cutoff()
        cutoff = self.context["overdue_cutoff"]
        return selectors.case_is_overdue(case, cutoff)


class CaseTimelineEntrySerializer(serializers.Serializer):
    step = serializers.CharField()
    day = serializers.DateField(allow_null=True)
    at = serializers.DateTimeField()
    actor = serializers.CharField()
    summary = serializers.CharField()


class CaseDetailSerializer(CaseSerializer):
    timeline = serializers.SerializerMethodField()
    publicities = CasePublicitySerializer(many=True, read_only=True)
    objections = CaseObjectionSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "timeline", "publicities", "objections"]
        read_only_fields = fields

    @extend_schema(responses=CaseTimelineEntrySerializer(many=True))
    def get_timeline(self, case: IdentificationCase) -> list[dict]:
        return CaseTimelineEntrySerializer(selectors.case_timeline(case), many=True).data


# --- step inputs ---------------------------------------------------------------------


def _households(user: User):
    return Household.objects.filter(household_scope_q(user))


def _members(user: User):
    return Member.objects.filter(household_scope_q(user, "household__"))


class CaseApplySerializer(serializers.Serializer):
    household = ScopedPrimaryKeyField(
        scoped=_households, queryset=Household.objects.all(), label="农户"
    )
    applicant = ScopedPrimaryKeyField(
        scoped=_members, queryset=Member.objects.all(), label="申请人"
    )
    applied_on = serializers.DateField(label="申请日期")
    hardship = serializers.CharField(label="困难情况")
    risk_types = RiskTypesField
    source = serializers.ChoiceField(choices=CaseSource.choices, default=CaseSource.HOUSEHOLD)
    source_note = serializers.CharField(required=False, allow_blank=True, default="")


class HomeCheckTeamMemberSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        label="系统用户",
    )
    name = serializers.CharField(required=False, allow_blank=True, default="", label="姓名")
    role = serializers.ChoiceField(choices=TeamRole.choices, label="身份")

    def validate(self, attrs):
        if not attrs.get("user") and not attrs.get("name", "").strip():
            raise serializers.ValidationError("请填写核查组成员姓名或选择系统用户")
        return attrs


class CaseVerifySerializer(serializers.Serializer):
    checked_on = serializers.DateField(label="核查日期")
    team = HomeCheckTeamMemberSerializer(many=True, label="核查组成员")
    findings = serializers.CharField(label="核查情况")
    passed = serializers.BooleanField(label="初核通过")
    sudden_change = serializers.BooleanField(default=False)
    medical_burden = serializers.BooleanField(default=False)
    housing_unsafe = serializers.BooleanField(default=False)
    schooling_interrupted = serializers.BooleanField(default=False)
    water_unsafe = serializers.BooleanField(default=False)


class CaseDeliberateSerializer(serializers.Serializer):
    group = ScopedPrimaryKeyField(
        scoped=lambda user: group_list(user=user),
        queryset=VillagerGroup.objects.all(),
        label="村民小组",
    )
    held_on = serializers.DateField(label="评议日期")
    expected = serializers.IntegerField(min_value=1, label="应参会人数")
    present = serializers.IntegerField(min_value=0, label="实到人数")
    approvals = serializers.IntegerField(min_value=0, label="赞成人数")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ComparisonJudgementSerializer(serializers.Serializer):
    record = serializers.IntegerField(label="比对数据ID")
    judgement = serializers.ChoiceField(choices=ComparisonHit.Judgement.choices)
    reason = serializers.CharField(label="研判理由")


class CaseCompareSerializer(serializers.Serializer):
    compared_on = serializers.DateField(label="比对日期")
    judgements = ComparisonJudgementSerializer(many=True, required=False, default=list)
    conclusion = serializers.CharField(required=False, allow_blank=True, default="")


class CasePublicizeVillageSerializer(serializers.Serializer):
    meeting_on = serializers.DateField(label="两委会议日期")
    decision = serializers.CharField(label="研究意见")
    publicity_started_on = serializers.DateField(label="公示开始日期")


class CaseApproveTownSerializer(serializers.Serializer):
    meeting_on = serializers.DateField(label="领导小组会议日期")
    approved = serializers.BooleanField(label="审定通过")
    opinion = serializers.CharField(label="审定意见")
    publicity_started_on = serializers.DateField(required=False, allow_null=True, default=None)
    publicity_days = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, label="镇公示天数"
    )


class CaseFileSerializer(serializers.Serializer):
    filed_on = serializers.DateField(label="备案日期")
    category = serializers.ChoiceField(choices=MonitoringSubject.Category.choices)
    risk_types = RiskTypesField
    announcement = serializers.PrimaryKeyRelatedField(
        queryset=Announcement.objects.all(), required=False, allow_null=True, default=None
    )


class CaseReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(label="原因")


class ObjectionLodgeSerializer(serializers.Serializer):
    content = serializers.CharField(label="异议内容")
    lodged_on = serializers.DateField(label="提出日期")
    raised_by_name = serializers.CharField(required=False, allow_blank=True, default="")


class ComparisonHitSerializer(serializers.Serializer):
    record = serializers.IntegerField(source="record.pk")
    member = serializers.IntegerField(source="member.pk")
    member_name = serializers.CharField(source="member.name")
    id_number = serializers.SerializerMethodField()
    kind = serializers.CharField(source="dataset.kind")
    kind_display = serializers.CharField(source="dataset.get_kind_display")
    dataset = serializers.IntegerField(source="dataset.pk")
    detail = serializers.CharField(source="record.detail")

    def get_id_number(self, hit) -> str:
        return mask(hit.member.id_number)


# --- viewsets --------------------------------------------------------------------------


def _bool(value: str | None) -> bool | None:
    return {"true": True, "1": True, "false": False, "0": False}.get((value or "").lower())


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """识别申请. Create = 户申请; each later step is a POST action on the case."""

    filter_backends: list = []  # the selector parses the filters; see ``get_queryset``

    def get_queryset(self):
        params = self.request.query_params
        filters = selectors.CaseFilters(
            town=_int(params.get("town")),
            village=_int(params.get("village")),
            state=params.get("state", ""),
            source=params.get("source", ""),
            overdue=_bool(params.get("overdue")),
            q=params.get("q", ""),
            queue=params.get("queue", ""),
        )
        return selectors.case_list(user=self.request.user, filters=filters).order_by("-id")

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer

    def _answer(self, case: IdentificationCase, code: int = status.HTTP_200_OK) -> Response:
        case = selectors.case_get(user=self.request.user, pk=case.pk)
        return Response(
            CaseDetailSerializer(case, context=self.get_serializer_context()).data, status=code
        )

    def _input(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(request=CaseApplySerializer, responses=CaseDetailSerializer)
    def create(self, request, *args, **kwargs):
        data = self._input(CaseApplySerializer)
        case = services.case_apply(actor=request.user, **data)
        return self._answer(case, status.HTTP_201_CREATED)

    @extend_schema(request=CaseVerifySerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        case = self.get_object()
        data = self._input(CaseVerifySerializer)
        team = [
            services.TeamMember(role=m["role"], user=m.get("user"), name=m.get("name", ""))
            for m in data.pop("team")
        ]
        return self._answer(services.case_verify(actor=request.user, case=case, team=team, **data))

    @extend_schema(request=CaseDeliberateSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def deliberate(self, request, pk=None):
        case = self.get_object()
        data = self._input(CaseDeliberateSerializer)
        return self._answer(
            services.case_record_deliberation(actor=request.user, case=case, **data)
        )

    @extend_schema(responses=ComparisonHitSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="comparison-hits")
    def comparison_hits(self, request, pk=None):
        """The hits the bureau must judge before ``compare``."""
        result = selectors.comparison_hits(self.get_object())
        return Response(
            {
                "hits": ComparisonHitSerializer(result.hits, many=True).data,
                "missing_kinds": result.missing_kinds,
            }
        )

    @extend_schema(request=CaseCompareSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def compare(self, request, pk=None):
        case = self.get_object()
        data = self._input(CaseCompareSerializer)
        judgements = {j["record"]: (j["judgement"], j["reason"]) for j in data.pop("judgements")}
        return self._answer(
            services.case_compare(actor=request.user, case=case, judgements=judgements, **data)
        )

    @extend_schema(request=CasePublicizeVillageSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="publicize-village")
    def publicize_village(self, request, pk=None):
        case = self.get_object()
        data = self._input(CasePublicizeVillageSerializer)
        return self._answer(services.case_publicize_village(actor=request.user, case=case, **data))

    @extend_schema(request=CaseApproveTownSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="approve-town")
    def approve_town(self, request, pk=None):
        case = self.get_object()
        data = self._input(CaseApproveTownSerializer)
        return self._answer(services.case_approve_town(actor=request.user, case=case, **data))

    @extend_schema(request=CaseFileSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def file(self, request, pk=None):
        case = self.get_object()
        data = self._input(CaseFileSerializer)
        return self._answer(services.case_file(actor=request.user, case=case, **data))

    @extend_schema(request=None, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="conclude-publicity")
    def conclude_publicity(self, request, pk=None):
        """三(七)5/6: end a publicity that ran its days with no open objection (as the daily task)."""
        case = self.get_object()
        return self._answer(services.publicity_conclude(actor=request.user, case=case))

    @extend_schema(request=CaseReasonSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        case = self.get_object()
        data = self._input(CaseReasonSerializer)
        return self._answer(services.case_reject(actor=request.user, case=case, **data))

    @extend_schema(request=CaseReasonSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        case = self.get_object()
        data = self._input(CaseReasonSerializer)
        return self._answer(services.case_withdraw(actor=request.user, case=case, **data))

    # --- objections, nested under the case ---

    @extend_schema(methods=["get"], responses=CaseObjectionSerializer(many=True))
    @extend_schema(
        methods=["post"], request=ObjectionLodgeSerializer, responses=CaseObjectionSerializer
    )
    @action(detail=True, methods=["get", "post"])
    def objections(self, request, pk=None):
        case = self.get_object()
        if request.method == "GET":
            return Response(CaseObjectionSerializer(case.objections.all(), many=True).data)
        data = self._input(ObjectionLodgeSerializer)
        objection = services.objection_lodge(actor=request.user, case=case, **data)
        return Response(CaseObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)

    def _objection(self, objection_pk) -> Objection:
        case = self.get_object()
        return get_object_or_404(case.objections.all(), pk=objection_pk)

    @extend_schema(request=CaseReasonSerializer, responses=CaseObjectionSerializer)
    @action(detail=True, methods=["post"], url_path=r"objections/(?P<objection_pk>\d+)/uphold")
    def uphold_objection(self, request, pk=None, objection_pk=None):
        objection = self._objection(objection_pk)
        data = self._input(CaseReasonSerializer)
        return Response(
            CaseObjectionSerializer(
                services.objection_uphold(actor=request.user, objection=objection, **data)
            ).data
        )

    @extend_schema(request=CaseReasonSerializer, responses=CaseObjectionSerializer)
    @action(detail=True, methods=["post"], url_path=r"objections/(?P<objection_pk>\d+)/dismiss")
    def dismiss_objection(self, request, pk=None, objection_pk=None):
        objection = self._objection(objection_pk)
        data = self._input(CaseReasonSerializer)
        return Response(
            CaseObjectionSerializer(
                services.objection_dismiss(actor=request.user, objection=objection, **data)
            ).data
        )


class ComparisonDatasetSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True, default="")

    class Meta:
        model = ComparisonDataset
        fields = [
            "id",
            "kind",
            "kind_display",
            "as_of",
            "department",
            "department_name",
            "file_name",
            "row_count",
            "uploaded_by",
            "uploaded_at",
        ]
        read_only_fields = fields


class ComparisonDatasetUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ComparisonKind.choices, label="比对类别")
    as_of = serializers.DateField(label="数据截止日期")
    file = serializers.FileField(label="文件（xlsx、xls或csv，含“身份证号”列）")


class DatasetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """比对数据集: departments and the bureau upload; the bureau reads them all."""

    serializer_class = ComparisonDatasetSerializer
    parser_classes = [parsers.MultiPartParser, parsers.FormParser, parsers.JSONParser]
    filter_backends: list = []

    def get_queryset(self):
        qs = selectors.dataset_list(user=self.request.user)
        kind = self.request.query_params.get("kind")
        return qs.filter(kind=kind) if kind else qs

    @extend_schema(request=ComparisonDatasetUploadSerializer, responses=ComparisonDatasetSerializer)
    def create(self, request, *args, **kwargs):
        serializer = ComparisonDatasetUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        dataset, created = services.dataset_upload(
            actor=request.user,
            kind=serializer.validated_data["kind"],
            as_of=serializer.validated_data["as_of"],
            file_name=upload.name,
            content=upload.read(),
        )
        return Response(
            ComparisonDatasetSerializer(dataset).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


router = SimpleRouter()
router.register("identification-cases", CaseViewSet, basename="identification-case")
router.register("comparison-datasets", DatasetViewSet, basename="comparison-dataset")
