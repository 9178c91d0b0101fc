"""REST for the half-year exit rounds (三(十)), the county's spot check and the town's
re-review (三(九)).

- ``/api/exit-rounds/``: list and read the rounds with each town's state; create = the
  county opens a round by hand.
- ``/api/spot-checks/``: create = draw the sample of a town's round; ``items/`` lists the
  sample and records a verdict; ``close`` closes the check.
- ``/api/exit-re-reviews/``: the filed exits of rounds in re-review, with ``confirm`` and
  ``revert`` (kept apart from ``/api/exit-cases/``, the exit procedure's own resource).

Thin, as the rest of the API: scoped selectors (another scope's object is 404), the role
checked before the body is read (403), one service per write, 400/409 from the one handler.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from organization.models import Role
from suixi_monitor.api import error_responses, id_field

from .. import services
from ..models import ExitCase, ExitRound, SpotCheck, SpotCheckItem, TownRound
from ..selectors import exit_rounds as selectors

COUNTY = "县扶贫局"

# --- serializers ------------------------------------------------------------------------


class TownRoundSerializer(serializers.ModelSerializer):
    town_name = serializers.CharField(source="town.name", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    takes_proposals = serializers.BooleanField(read_only=True)
    spot_check = serializers.SerializerMethodField()

    class Meta:
        model = TownRound
        fields = [
            "id",
            "town",
            "town_name",
            "state",
            "state_display",
            "state_changed_at",
            "takes_proposals",
            "spot_check",
        ]
        read_only_fields = fields

    def get_spot_check(self, town_round: TownRound) -> int | None:
        spot_check = getattr(town_round, "spot_check", None)
        return spot_check.pk if spot_check else None


class ExitRoundSerializer(serializers.ModelSerializer):
    half_display = serializers.CharField(source="get_half_display", read_only=True)
    label = serializers.CharField(read_only=True)
    opened_by_name = serializers.SerializerMethodField()
    towns = TownRoundSerializer(many=True, read_only=True)

    class Meta:
        model = ExitRound
        fields = [
            "id",
            "year",
            "half",
            "half_display",
            "label",
            "opened_on",
            "closes_on",
            "opened_by",
            "opened_by_name",
            "towns",
        ]
        read_only_fields = fields

    def get_opened_by_name(self, exit_round: ExitRound) -> str:
        return str(exit_round.opened_by) if exit_round.opened_by_id else "系统"


class ExitRoundOpenSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2021, max_value=2100, label="年度")
    half = serializers.ChoiceField(
        choices=ExitRound.Half.choices, label="半年（1 上半年，2 下半年）"
    )
    on = serializers.DateField(label="开启日期")


class SpotCheckSerializer(serializers.ModelSerializer):
    town = serializers.IntegerField(source="town_round.town_id", read_only=True)
    town_name = serializers.CharField(source="town_round.town.name", read_only=True)
    round = serializers.IntegerField(source="town_round.round_id", read_only=True)
    round_label = serializers.CharField(source="town_round.round.label", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    checked = serializers.IntegerField(read_only=True, help_text="已录入结论的户数")
    wrong = serializers.IntegerField(read_only=True, help_text="错误退出户数")
    rate = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text="完成时的错退率（%）= wrong_count ÷ checked_count",
    )
    over_limit = serializers.BooleanField(read_only=True)

    class Meta:
        model = SpotCheck
        fields = [
            "id",
            "town_round",
            "town",
            "town_name",
            "round",
            "round_label",
            "seed",
            "population",
            "sample_size",
            "drawn_by",
            "drawn_at",
            "state",
            "state_display",
            "checked",
            "wrong",
            "closed_at",
            "wrong_count",
            "checked_count",
            "limit",
            "rate",
            "over_limit",
        ]
        read_only_fields = fields


class SpotCheckDrawSerializer(serializers.Serializer):
    town_round = id_field(label="镇退出批次（town_round id）")
    seed = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        label="抽样种子（留空由系统生成）",
    )


class SpotCheckItemSerializer(serializers.ModelSerializer):
    exit_case = serializers.IntegerField(source="exit_case_id", read_only=True)
    household = serializers.IntegerField(source="exit_case.household_id", read_only=True)
    head_name = serializers.CharField(source="exit_case.household.head_name", read_only=True)
    village_name = serializers.CharField(source="exit_case.household.village.name", read_only=True)
    filed_on = serializers.DateField(source="exit_case.filed_on", read_only=True)
    verdict_display = serializers.CharField(source="get_verdict_display", read_only=True)
    # Blank until a wrong verdict names its reason: the schema says so.
    wrong_reason = serializers.ChoiceField(
        choices=[("", "—"), *SpotCheckItem.WrongReason.choices], read_only=True
    )
    wrong_reason_display = serializers.CharField(source="get_wrong_reason_display", read_only=True)

    class Meta:
        model = SpotCheckItem
        fields = [
            "id",
            "position",
            "exit_case",
            "household",
            "head_name",
            "village_name",
            "filed_on",
            "verdict",
            "verdict_display",
            "wrong_reason",
            "wrong_reason_display",
            "note",
            "checked_on",
            "checked_by",
        ]
        read_only_fields = fields


class SpotCheckVerdictSerializer(serializers.Serializer):
    item = id_field(label="抽查户（item id）")
    verdict = serializers.ChoiceField(
        choices=[c for c in SpotCheckItem.Verdict.choices if c[0]], label="抽查结论"
    )
    wrong_reason = serializers.ChoiceField(
        choices=SpotCheckItem.WrongReason.choices,
        required=False,
        allow_blank=True,
        label="错退原因（错误退出时必填）",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    checked_on = serializers.DateField(label="抽查日期")


class ReReviewCaseSerializer(serializers.ModelSerializer):
    town_round = serializers.IntegerField(source="town_round_id", read_only=True)
    head_name = serializers.CharField(source="household.head_name", read_only=True)
    village_name = serializers.CharField(source="household.village.name", read_only=True)
    town_name = serializers.CharField(source="household.village.town.name", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    re_review_display = serializers.CharField(source="get_re_review_display", read_only=True)
    spot_check_verdict = serializers.SerializerMethodField()

    class Meta:
        model = ExitCase
        fields = [
            "id",
            "town_round",
            "subject",
            "household",
            "head_name",
            "village_name",
            "town_name",
            "filed_on",
            "state",
            "state_display",
            "re_review",
            "re_review_display",
            "re_review_reason",
            "spot_check_verdict",
        ]
        read_only_fields = fields

    def get_spot_check_verdict(self, case: ExitCase) -> str:
        """The sampled household's verdict ('' when not sampled or not yet checked)."""
        return next((item.verdict for item in getattr(case, "sampled", [])), "")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, label="重新审核认定意见")


# --- viewsets --------------------------------------------------------------------------


def _require(user, roles: tuple[str, ...], message: str) -> None:
    """The role first (403), before the body is read."""
    if user.role not in roles:
        raise PermissionDenied(message)


class _ScopedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reads through the resource's scoped selector: another scope's object is 404."""

    filter_backends: list = []
    selector: Callable

    def get_queryset(self):
        return type(self).selector(user=self.request.user)


class ExitRoundViewSet(mixins.CreateModelMixin, _ScopedViewSet):
    """退出批次 (三(十) 退出工作每半年开展一次), each with every town's state in it."""

    serializer_class = ExitRoundSerializer
    selector = selectors.exit_round_list

    @extend_schema(
        summary="开启退出批次",
        description=(
            "县扶贫局手动开启某年上半年或下半年的退出批次（三(十)），为每个镇（园区）建立本镇批次；"
            "申报截止日期 = 开启日期 + 政策参数“退出批次申报天数” − 1。开启日期不晚于今天、"
            "不早于该半年的第一天。每日任务也会在政策参数规定月份的1日自动开启。"
        ),
        request=ExitRoundOpenSerializer,
        responses={
            201: ExitRoundSerializer,
            **error_responses(
                bad_request="半年不是 1 或 2，或开启日期晚于今天、早于该半年第一天（三(十)）。",
                forbidden=f"只有{COUNTY}可以开启退出批次。",
                conflict="该半年的退出批次已开启（每半年一个批次）。",
                not_found=None,
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        _require(request.user, (Role.COUNTY_BUREAU,), services.exit_rounds.MSG_OPEN_COUNTY_ONLY)
        serializer = ExitRoundOpenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        exit_round = services.exit_round_open(actor=request.user, **serializer.validated_data)
        exit_round = selectors.exit_round_get(user=request.user, pk=exit_round.pk)
        return Response(ExitRoundSerializer(exit_round).data, status=status.HTTP_201_CREATED)


class SpotCheckViewSet(mixins.CreateModelMixin, _ScopedViewSet):
    """退出抽查 (三(九) 抽查评估): the county's; a town official reads its own town's."""

    serializer_class = SpotCheckSerializer
    selector = selectors.spot_check_list

    def _county(self) -> None:
        _require(self.request.user, (Role.COUNTY_BUREAU,), services.spot_checks.MSG_COUNTY_ONLY)

    def _answer(self, spot_check: SpotCheck, code: int = status.HTTP_200_OK) -> Response:
        spot_check = selectors.spot_check_get(user=self.request.user, pk=spot_check.pk)
        return Response(SpotCheckSerializer(spot_check).data, status=code)

    @extend_schema(
        summary="抽样",
        description=(
            "对一个镇本批次已备案的退出户抽样（三(九) 抽查评估）。镇批次须已结束（全部办结）且有"
            "已备案退出；抽样户数 = 退出户数 × 政策参数抽查比例（向上取整），不少于每镇最少抽查户数，"
            "不足时全部抽查。退出户按编号排序后以 random.Random(seed).sample 抽取：同一种子总是"
            "抽中相同的户；种子留空由系统生成，保存并显示。样本一经抽取不再变更。"
        ),
        request=SpotCheckDrawSerializer,
        responses={
            201: SpotCheckSerializer,
            **error_responses(
                bad_request="该镇本批次没有已备案退出（town_round），或种子超过 64 个字符。",
                forbidden=f"抽样须由{COUNTY}办理。",
                conflict="该镇本批次尚未结束（state 为其状态），或已抽样。",
                not_found="town_round 不存在，或不在本人管辖范围内。",
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        self._county()
        serializer = SpotCheckDrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        town_round = get_object_or_404(
            selectors.town_round_list(user=request.user), pk=serializer.validated_data["town_round"]
        )
        spot_check = services.spot_check_draw(
            actor=request.user,
            town_round=town_round,
            seed=serializer.validated_data.get("seed"),
        )
        return self._answer(spot_check, status.HTTP_201_CREATED)

    @extend_schema(
        methods=["get"],
        summary="抽查名单（按抽样顺序）",
        responses={200: SpotCheckItemSerializer(many=True)},
    )
    @extend_schema(
        methods=["post"],
        summary="录入抽查结论",
        description=(
            "为一户抽查户录入结论：退出准确，或错误退出并从列表中选择原因（收入仍低于监测线、"
            "三保障或饮水问题未解决、帮扶措施未落实、数据不实、其他）。抽查日期不晚于今天、"
            "不早于抽样日期。抽查完成前可以修改。"
        ),
        request=SpotCheckVerdictSerializer,
        responses={
            200: SpotCheckItemSerializer,
            **error_responses(
                bad_request="结论无效、错误退出未选原因（wrong_reason），或日期不符（checked_on）。",
                forbidden=f"抽查结论须由{COUNTY}录入。",
                conflict="抽查已完成，结论不能再修改。",
                not_found="抽查或 item 不存在（item 须属于该抽查），或不在本人管辖范围内。",
            ),
        },
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def items(self, request, pk=None):
        spot_check = self.get_object()
        if request.method == "GET":
            items = selectors.spot_check_items(spot_check)
            return Response(SpotCheckItemSerializer(items, many=True).data)
        self._county()
        serializer = SpotCheckVerdictSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        item = get_object_or_404(spot_check.items.all(), pk=data.pop("item"))
        item = services.spot_check_record(actor=request.user, item=item, **data)
        item = selectors.spot_check_items(spot_check).get(pk=item.pk)
        return Response(SpotCheckItemSerializer(item).data)

    @extend_schema(
        summary="完成抽查",
        description=(
            "全部抽查户录入结论后完成抽查，保存错退户数、抽查户数和当年的错退率上限。"
            "错退率 = 错退 ÷ 已抽查；严格超过上限（等于上限不算超过）的，该镇本批次转入"
            "重新审核认定（三(九)“对错退率超过2%的镇，需重新审核认定”），并通知该镇和县扶贫局。"
        ),
        request=None,
        responses={
            200: SpotCheckSerializer,
            **error_responses(
                bad_request="还有抽查户未录入结论（items）。",
                forbidden=f"完成抽查须由{COUNTY}办理。",
                conflict="抽查已完成。",
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        spot_check = self.get_object()
        self._county()
        return self._answer(services.spot_check_close(actor=request.user, spot_check=spot_check))


RE_REVIEW_RULE = (
    "须填写重新审核认定意见（reason）。只有处于“重新审核认定中”的镇批次的已备案退出户可以认定，"
    "每户一次；全部认定后镇批次结束，并通知该镇和县扶贫局。"
)


def _re_review_schema(summary: str, what: str) -> Callable:
    return extend_schema(
        summary=summary,
        description=f"三(九) 重新审核认定：{what}\n\n{RE_REVIEW_RULE}",
        request=ReasonSerializer,
        responses={
            200: ReReviewCaseSerializer,
            **error_responses(
                bad_request="未填写认定意见（reason）。",
                forbidden="重新审核认定由该户所在镇（园区）干部或县扶贫局办理；其他角色答 403。",
                conflict=(
                    "镇批次不在重新审核认定中，或该户已认定；撤销退出时该户已重新纳入监测。"
                    "state 为当前状态代码。"
                ),
            ),
        },
    )


class ReReviewViewSet(_ScopedViewSet):
    """重新审核认定 (三(九)): the filed exits of the town rounds in re-review."""

    serializer_class = ReReviewCaseSerializer
    selector = selectors.re_review_case_list

    def _decide(self, service) -> Response:
        _require(
            self.request.user,
            (Role.TOWN_OFFICIAL, Role.COUNTY_BUREAU),
            services.spot_checks.MSG_RE_REVIEW_RIGHT,
        )
        case = self.get_object()
        serializer = ReasonSerializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        case = service(actor=self.request.user, case=case, **serializer.validated_data)
        # Read again without the list's filter: the last answer closes the round.
        cases = selectors.re_review_cases_of(user=self.request.user, town_round=case.town_round)
        return Response(ReReviewCaseSerializer(cases.get(pk=case.pk)).data)

    @_re_review_schema("维持退出", "退出认定无误，维持退出。")
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._decide(services.exit_case_confirm)

    @_re_review_schema(
        "撤销退出", "退出认定有误，撤销退出：恢复监测，重新开启退出时关闭的帮扶方案和停止的措施。"
    )
    @action(detail=True, methods=["post"])
    def revert(self, request, pk=None):
        return self._decide(services.exit_case_revert)


router = SimpleRouter()
router.register("exit-rounds", ExitRoundViewSet, basename="exit-round")
router.register("spot-checks", SpotCheckViewSet, basename="spot-check")
router.register("exit-re-reviews", ReReviewViewSet, basename="exit-re-review")
