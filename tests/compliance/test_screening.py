"""Screening deals against the starter rules (loaded by the migration from rules.yaml)."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from marketplace.compliance.models import Rule
from marketplace.compliance.screening import ConditionError, DealFacts, validate_conditions
from marketplace.compliance.services import RulesDataError, rules_load, screen_deal

pytestmark = pytest.mark.django_db

# An outbound deal with every fact stated and nothing sensitive in it: a US buyer's in vitro
# ADME study at a mainland CRO, paid in milestones under USD 50,000.
CLEAN = DealFacts(
    direction="outbound",
    provider_zone="mainland",
    partner_country="US",
    capability_codes=("dmpk.in_vitro_adme",),
    foreign_party=True,
    hgr_materials_leave_china=False,
    hgr_information_abroad=False,
    hgr_joint_research=False,
    registration_trial_at_institution=False,
    personal_info_subjects_ytd=0,
    sensitive_personal_info_subjects_ytd=0,
    important_data=False,
    provider_is_ciio=False,
    technology_transfer=False,
    technology_catalogue_item="none",
    foreign_staff_on_site=False,
    single_payment_usd_equivalent=Decimal("20000"),
    ai_generated_prescriptions=False,
)
CGT = ("cell_gene_therapy.car_t",)
ONLINE_TCM = ("tcm.online_consultation",)
INBOUND = {"direction": "inbound"}

# Each starter rule: facts (changed from CLEAN) under which it applies, and close facts under
# which it stays silent.
CASES = {
    "hgr-foreign-collection": (
        {"hgr_materials_leave_china": True},
        {"hgr_materials_leave_china": True, "foreign_party": False},
    ),
    "hgr-materials-export": (
        {"hgr_materials_leave_china": True, "foreign_party": False},
        {"hgr_materials_leave_china": True},
    ),
    "hgr-joint-research": ({"hgr_joint_research": True}, {"hgr_joint_research": True, **INBOUND}),
    "hgr-registration-trial": (
        {"registration_trial_at_institution": True},
        {"registration_trial_at_institution": True, "hgr_materials_leave_china": True},
    ),
    "hgr-information-abroad": (
        {"hgr_information_abroad": True},
        {"hgr_information_abroad": True, **INBOUND},
    ),
    "pi-below-threshold": ({"personal_info_subjects_ytd": 99999}, {"important_data": True}),
    "pi-standard-contract": (
        {"personal_info_subjects_ytd": 100000},
        {"personal_info_subjects_ytd": 1000001},
    ),
    "pi-security-assessment": (
        {"sensitive_personal_info_subjects_ytd": 10001},
        {"sensitive_personal_info_subjects_ytd": 10000},
    ),
    "beijing-ftz-health-data": (
        {"provider_zone": "beijing_ftz", "personal_info_subjects_ytd": 100000,
         "capability_codes": ("clinical.trial_management",)},
        {"provider_zone": "shanghai_ftz", "personal_info_subjects_ytd": 100000,
         "capability_codes": ("clinical.trial_management",)},
    ),
    "tech-prohibited": (
        {"technology_catalogue_item": "prohibited"},
        {"technology_catalogue_item": "restricted"},
    ),
    "tech-restricted": (
        {"technology_catalogue_item": "restricted"},
        {"technology_catalogue_item": "none", "technology_transfer": True},
    ),
    "tech-contract-registration": (
        {"technology_transfer": True},
        {"technology_transfer": True, "technology_catalogue_item": "restricted"},
    ),
    "work-permit": ({"foreign_staff_on_site": True}, {"foreign_staff_on_site": False}),
    "hainan-overseas-qualifications": (
        {**INBOUND, "provider_zone": "hainan_ftp", "foreign_staff_on_site": True},
        {**INBOUND, "provider_zone": "shanghai_ftz", "foreign_staff_on_site": True},
    ),
    "payment-tax-record": (
        {**INBOUND, "single_payment_usd_equivalent": Decimal("50000.01")},
        {**INBOUND, "single_payment_usd_equivalent": Decimal("50000")},
    ),
    "payment-documents": (
        {"single_payment_usd_equivalent": Decimal("50000")},
        {"single_payment_usd_equivalent": Decimal("50000.01")},
    ),
    "gene-therapy-foreign-investment": (
        {**INBOUND, "capability_codes": CGT, "provider_zone": "mainland"},
        {**INBOUND, "capability_codes": CGT, "provider_zone": "shanghai_ftz"},
    ),
    "gene-therapy-pilot": (
        {**INBOUND, "capability_codes": CGT, "provider_zone": "hainan_ftp"},
        {**INBOUND, "capability_codes": CGT, "provider_zone": "jiangsu_ftz"},
    ),
    "internet-diagnosis-ai-prescription": (
        {"capability_codes": ONLINE_TCM, "ai_generated_prescriptions": True},
        {"capability_codes": ONLINE_TCM, "ai_generated_prescriptions": False},
    ),
    "internet-diagnosis-licensed-institution": (
        {"capability_codes": ONLINE_TCM},
        {"capability_codes": ("tcm.herbal_formulation",)},
    ),
    "rcep-partner": ({"partner_country": "JP"}, {"partner_country": "GB"}),  # CPTPP, not RCEP
}  # fmt: skip


def applying(facts: DealFacts) -> dict[str, str]:
    return {f.rule: f.status for f in screen_deal(facts=facts).findings}


def test_every_starter_rule_has_a_case():
    assert set(Rule.objects.values_list("slug", flat=True)) == set(CASES)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_a_rule_applies_when_its_facts_hold_and_stays_silent_otherwise(rule):
    fires, silent = CASES[rule]

    assert applying(replace(CLEAN, **fires)).get(rule) == "applies"
    assert rule not in applying(replace(CLEAN, **silent))


def test_a_ciio_sending_no_personal_information_abroad_needs_no_security_assessment():
    ciio = replace(CLEAN, provider_is_ciio=True, personal_info_subjects_ytd=0)

    assert "pi-security-assessment" not in applying(ciio)
    assert applying(replace(ciio, personal_info_subjects_ytd=1))["pi-security-assessment"] == (
        "applies"
    )
    unknown = screen_deal(facts=replace(CLEAN, provider_is_ciio=None, personal_info_subjects_ytd=0))
    assert unknown.outcome == "clear"


def test_a_clean_deal_needs_nothing_and_only_informs():
    screening = screen_deal(facts=CLEAN)

    assert screening.outcome == "clear"
    assert not screening.is_blocked
    assert {f.rule for f in screening.findings} == {"pi-below-threshold", "payment-documents"}
    assert {f.severity for f in screening.findings} == {"info"}


def test_findings_carry_severity_action_authority_and_source_strictest_first():
    screening = screen_deal(
        facts=replace(CLEAN, hgr_materials_leave_china=True, technology_transfer=True)
    )

    first = screening.findings[0]
    assert (first.rule, first.severity) == ("hgr-foreign-collection", "blocked")
    assert first.authority == "National Health Commission"
    assert first.source.startswith("HGR Regulations")
    assert first.confidence == "checked"
    assert screening.outcome == "blocked"
    assert [f.severity for f in screening.findings] == sorted(
        (f.severity for f in screening.findings),
        key=["blocked", "needs_approval", "needs_filing", "info"].index,
    )


def test_an_unknown_fact_makes_a_finding_to_confirm_never_drops_it():
    facts = replace(CLEAN, hgr_materials_leave_china=None)

    screening = screen_deal(facts=facts)

    found = {f.rule: f for f in screening.findings}
    assert found["hgr-foreign-collection"].status == "to_confirm"
    assert found["hgr-foreign-collection"].unknown_facts == ("hgr_materials_leave_china",)
    assert screening.is_blocked  # a possible prohibition stops the deal until it is settled
    assert screening.outcome == "to_confirm"
    assert screening.facts_to_confirm == ["hgr_materials_leave_china"]
    # A known fact that fails another condition settles it: no foreign party, nothing to confirm.
    assert "hgr-foreign-collection" not in applying(replace(facts, foreign_party=False))


def test_zone_rules_apply_only_in_their_zones_and_tier():
    cgt = replace(CLEAN, direction="inbound", capability_codes=CGT)

    assert applying(replace(cgt, provider_zone="mainland")) == {
        "gene-therapy-foreign-investment": "applies", "payment-documents": "applies",
    }  # fmt: skip
    for pilot in ("beijing_ftz", "shanghai_ftz", "guangdong_ftz", "hainan_ftp"):
        found = applying(replace(cgt, provider_zone=pilot))
        assert found.get("gene-therapy-pilot") == "applies", pilot
        assert "gene-therapy-foreign-investment" not in found, pilot  # superseded there
    # Where the work is done is not known yet: both may apply, neither is dropped.
    unknown = applying(replace(cgt, provider_zone=None))
    assert unknown["gene-therapy-pilot"] == "to_confirm"
    assert unknown["gene-therapy-foreign-investment"] == "applies"


def test_a_zone_rule_without_zones_covers_every_zone_of_its_tier():
    rule = Rule.objects.get(slug="hainan-overseas-qualifications")
    rule.scope = "pilot_ftz"
    rule.save()
    rule.zones.clear()
    facts = replace(CLEAN, direction="inbound", foreign_staff_on_site=True)

    assert "hainan-overseas-qualifications" in applying(replace(facts, provider_zone="tianjin_ftz"))
    assert "hainan-overseas-qualifications" not in applying(
        replace(facts, provider_zone="mainland")
    )
    assert "hainan-overseas-qualifications" not in applying(
        replace(facts, provider_zone="hainan_ftp")
    )


def test_a_capability_condition_covers_the_codes_beneath_it():
    deep = replace(
        CLEAN, provider_zone="beijing_ftz", personal_info_subjects_ytd=200000,
        capability_codes=("dmpk.in_vitro_adme", "clinical.trial_management"),
    )  # fmt: skip

    assert applying(deep)["beijing-ftz-health-data"] == "applies"


def test_rules_apply_only_while_in_force():
    Rule.objects.filter(slug="work-permit").update(
        effective_from=date(2027, 1, 1), effective_until=date(2027, 12, 31)
    )
    facts = replace(CLEAN, foreign_staff_on_site=True)

    assert "work-permit" not in {
        f.rule for f in screen_deal(facts=facts, on=date(2026, 12, 31)).findings
    }
    assert "work-permit" in {f.rule for f in screen_deal(facts=facts, on=date(2027, 6, 1)).findings}
    assert "work-permit" not in {
        f.rule for f in screen_deal(facts=facts, on=date(2027, 12, 31) + timedelta(days=1)).findings
    }


def test_a_staff_edit_to_a_rule_changes_the_next_screening():
    Rule.objects.filter(slug="payment-tax-record").update(
        direction="any", conditions={"single_payment_usd_equivalent": {"gt": 10000}}
    )

    assert applying(CLEAN)["payment-tax-record"] == "applies"


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        ({"colour": "red"}, "unknown fact"),
        ({"personal_info_subjects_ytd": {"about": 5}}, "unknown operator"),
        ({"personal_info_subjects_ytd": {"gt": "lots"}}, "needs a number"),
        ({"capability_codes": {"any_of": "clinical"}}, "needs a list"),
        ({"partner_country": {"in_agreement": "NAFTA"}}, "unknown agreement"),
        ({"any": []}, "non-empty list"),
    ],
)
def test_malformed_conditions_are_refused_with_the_reason(conditions, message):
    with pytest.raises(ConditionError, match=message):
        validate_conditions(conditions, {"RCEP", "CPTPP"})


def test_a_rule_edited_with_bad_conditions_does_not_validate():
    from django.core.exceptions import ValidationError

    rule = Rule.objects.get(slug="work-permit")
    rule.conditions = {"foreign_staff": True}

    with pytest.raises(ValidationError, match="unknown fact"):
        rule.full_clean()


def test_loading_a_bad_rules_file_loads_nothing(tmp_path):
    bad = tmp_path / "rules.yaml"
    bad.write_text(
        "- {id: new-rule, title: T, direction: any, scope: national, restriction: informational,"
        " flow: data, when: {colour: red}, action: A, authority: B, source: C,"
        " confidence: checked}\n"
    )

    with pytest.raises(RulesDataError, match="new-rule: unknown fact 'colour'"):
        rules_load(rules_path=bad)
    assert not Rule.objects.filter(slug="new-rule").exists()


def test_loading_the_rules_twice_keeps_staff_edits_unless_overwriting():
    Rule.objects.filter(slug="work-permit").update(title_zh="外国人工作许可（已编辑）")

    assert rules_load()["rules_created"] == 0
    assert Rule.objects.get(slug="work-permit").title_zh == "外国人工作许可（已编辑）"
    assert rules_load(overwrite=True)["rules_updated"] == len(CASES)
    assert Rule.objects.get(slug="work-permit").title_zh == "外籍人员在华现场工作"
    assert set(
        Rule.objects.get(slug="gene-therapy-pilot").supersedes.values_list("slug", flat=True)
    ) == {"gene-therapy-foreign-investment"}
