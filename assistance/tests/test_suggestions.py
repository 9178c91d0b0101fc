"""分层分类 (三(八)2): one test per row of ``assistance.suggestions.RULES``, at its boundary."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest

from assistance.models import MeasureKind
from assistance.suggestions import RULES, Facts, can_work, evaluate, suggest
from households.models import Member

from .factories_plans import (
    MeasureFactory,
    PlanFactory,
    SubjectFactory,
    born_aged,
    kind,
    member_aged,
    risks,
)

ON = datetime.date(2021, 9, 1)
G = MeasureKind.Group
pytestmark = pytest.mark.django_db


def person(name="甲", *, age=40, days=0, labour="ordinary", health="healthy", grade="", school=""):
    return Member(
        pk=abs(hash(name)) % 100000,
        name=name,
        birth_date=born_aged(age, ON, days=days),
        labour_capacity=labour,
        health=health,
        disability_grade=grade,
        schooling=school,
    )


def found(rule: str, *members, risk=(), visit=None) -> list:
    facts = Facts(members=tuple(members), risks=frozenset(risk), latest_visit=visit, on=ON)
    kinds = MeasureKind.objects.filter(is_active=True)
    return [s for s in evaluate(facts, kinds) if s.rule == rule]


def test_every_row_cites_its_clause():
    assert len({r.code for r in RULES}) == len(RULES)
    for rule in RULES:
        assert rule.clause.startswith("三(八)"), rule.code


# --- working_member: labour and age, both ends --------------------------------------------


@pytest.mark.parametrize(
    ("age", "days", "expected"),
    [
        (16, 1, False),  # one day short of sixteen: still fifteen
        (16, 0, True),  # sixteenth birthday
        (64, 0, True),
        (65, 0, False),  # sixty-fifth birthday
        (65, 1, True),  # the day before: still sixty-four
    ],
)
def test_working_member_age_boundary(age, days, expected):
    m = person(age=age, days=days)
    assert can_work(m, ON) is expected
    rows = found("working_member", m)
    assert bool(rows) is expected
    if rows:
        assert set(rows[0].groups) == {G.INDUSTRY, G.EMPLOYMENT, G.PUBLIC_JOB}
        assert rows[0].member is m
        assert "有一定劳动能力" in rows[0].reason


@pytest.mark.parametrize(
    ("labour", "expected"),
    [("skilled", True), ("ordinary", True), ("weak", True), ("lost", False), ("none", False)],
)
def test_working_member_labour_boundary(labour, expected):
    assert bool(found("working_member", person(labour=labour))) is expected


def test_no_labour_household_gets_safety_net_and_one_worker_prevents_it():
    old = person("老", age=65, labour="ordinary")
    lost = person("病", age=40, labour="lost")
    rows = found("no_labour", old, lost)
    assert len(rows) == 1 and rows[0].member is None and rows[0].groups == (G.SAFETY_NET,)
    assert {k.code for k in rows[0].kinds} == {"dibao", "tekun"}
    weak = person("弱", age=50, labour="weak")
    assert found("no_labour", old, lost, weak) == []
    assert found("no_labour") == []  # no member registered: nothing to judge


@pytest.mark.parametrize(
    ("grade", "expected"), [("1", True), ("2", True), ("3", False), ("", False)]
)
def test_severe_disability_grade_boundary(grade, expected):
    health = "disabled" if grade else "healthy"
    rows = found("severe_disability", person(grade=grade, health=health))
    assert bool(rows) is expected
    if rows:
        assert rows[0].groups == (G.SAFETY_NET,)


@pytest.mark.parametrize(
    ("health", "risk", "who"),
    [
        ("serious", (), "甲"),
        ("chronic", (), "甲"),
        ("healthy", ("illness",), "全户"),
        ("disabled", (), None),
        ("healthy", (), None),
    ],
)
def test_illness(health, risk, who):
    grade = "3" if health == "disabled" else ""
    rows = found("illness", person(health=health, grade=grade), risk=risk)
    assert [r.who for r in rows] == ([who] if who else [])
    for r in rows:
        assert r.groups == (G.HEALTH,)


@pytest.mark.parametrize(
    ("school", "risk", "who"),
    [
        ("preschool", (), None),  # before compulsory schooling: no education measure
        ("primary", (), "甲"),
        ("higher", (), "甲"),
        ("dropped_out", (), "甲"),
        ("", ("schooling",), "全户"),
        ("", (), None),
    ],
)
def test_schooling(school, risk, who):
    rows = found("schooling", person(age=10, school=school), risk=risk)
    assert [r.who for r in rows] == ([who] if who else [])
    if school == "dropped_out":
        assert "劝返复学" in rows[0].reason
    for r in rows:
        assert {k.code for k in r.kinds} >= {"yulu_plan", "student_loan", "work_study"}


def _visit(**flags):
    return SimpleNamespace(visit=SimpleNamespace(visited_on=datetime.date(2021, 8, 20)), **flags)


@pytest.mark.parametrize("code", ["housing", "water"])
def test_housing_and_water_from_the_risk_or_the_latest_visit(code):
    group = G.HOUSING if code == "housing" else G.WATER
    ok = {"housing_ok": True, "water_ok": True}
    assert found(code, person(), risk=(code,))[0].groups == (group,)
    assert found(code, person(), visit=_visit(**ok)) == []
    assert found(code, person()) == []
    bad = found(code, person(), visit=_visit(**{**ok, f"{code}_ok": False}))
    assert bad[0].member is None and "2021-08-20" in bad[0].reason


@pytest.mark.parametrize(
    ("risk", "hit"), [("disaster", True), ("accident", True), ("illness", False)]
)
def test_disaster_or_accident(risk, hit):
    rows = found("disaster_or_accident", person(), risk=(risk,))
    assert bool(rows) is hit
    if rows:
        assert set(rows[0].groups) == {G.TEMPORARY_RELIEF, G.SOCIAL}


@pytest.mark.parametrize(
    ("risk", "hit"),
    [
        ("industry_failure", True),
        ("market", True),
        ("broken_chain", True),
        ("unstable_employment", False),
    ],
)
def test_industry_failure_market_and_broken_chain(risk, hit):
    rows = found("industry", person(), risk=(risk,))
    assert bool(rows) is hit
    if rows:
        codes = {k.code for k in rows[0].kinds}
        assert "industry" in codes and "poverty_insurance" in codes  # 产业 + 防贫保险 (三(八)4)
        assert "relatives_help" not in codes


@pytest.mark.parametrize(("risk", "hit"), [("unstable_employment", True), ("market", False)])
def test_unstable_employment(risk, hit):
    rows = found("employment", person(), risk=(risk,))
    assert bool(rows) is hit
    if rows:
        assert rows[0].groups == (G.EMPLOYMENT,)


def test_a_retired_kind_is_not_suggested():
    dibao = kind("dibao")
    dibao.is_active = False
    dibao.save()
    rows = found("no_labour", person(labour="none"))
    assert {k.code for k in rows[0].kinds} == {"tekun"}


def test_suggest_reads_the_subject_and_marks_what_the_plan_covers(django_assert_max_num_queries):
    subject = SubjectFactory(risk_types=risks("unstable_employment"))
    worker = member_aged(subject.household, 30, ON, name="李强")
    member_aged(subject.household, 70, ON, name="李奶奶", labour_capacity="none")
    plan = PlanFactory(subject=subject)
    with django_assert_max_num_queries(4):
        rows = suggest(subject, on=ON, measures=[])
    assert {r.rule for r in rows} == {"working_member", "employment"}
    MeasureFactory(plan=plan, kind=kind("migrant_work"), member=worker)
    rows = suggest(subject, on=ON, measures=list(plan.measures.all()))
    assert all(r.covered for r in rows)
    stopped = plan.measures.get()
    Measure = type(stopped)
    Measure.objects.filter(pk=stopped.pk).update(state="stopped")
    rows = suggest(subject, on=ON, measures=list(plan.measures.all()))
    assert not any(r.covered for r in rows)
