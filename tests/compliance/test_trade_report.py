"""The cross-border trade report: grouping, periods, USD figures, the CSV and who may see it."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from cms.services import platform_moderator_add
from marketplace.accounts.permissions import PLATFORM_MODERATORS
from marketplace.contracting.models import Contract, QuoteRevision
from marketplace.contracting.services import LineInput, contract_terminate, quote_accept
from marketplace.reports.trade import ReportError, trade_report
from tests.factories import (
    UserFactory,
    buyer_party,
    contract_for,
    fx_rates,
    provider_party,
    quote_for,
    rfq_for,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
URL = "/staff/trade-report/"
# The default quote: 12 x 3,500 zero-rated ADME (dmpk) + 28,000 CYP panel with 6 % VAT, no
# capability: 42,000.00 + 29,680.00.
DEFAULT_TOTAL = Decimal("71680.00")
DEMO_USD_RATE = Decimal("0.1405")


@pytest.fixture
def parties():
    fx_rates()
    return buyer_party(country="US"), provider_party(zone_code="shanghai_ftz")


def made_on(contract: Contract, when: datetime) -> Contract:
    Contract.objects.filter(pk=contract.pk).update(created_at=when)
    contract.refresh_from_db()
    return contract


def in_february(contract: Contract) -> Contract:
    return made_on(contract, datetime(2026, 2, 10, 12, tzinfo=SHANGHAI))


def report(**values) -> dict:
    values = {
        "start": date(2026, 1, 1),
        "end": date(2026, 6, 30),
        "group_by": "partner_country",
        "period": "month",
        **values,
    }
    return trade_report(**values)


def table(result: dict) -> list[tuple]:
    return [
        (row["period"], row["key"], row["label"], row["deals"], row["value_cny"])
        for row in result["rows"]
    ]


def split_contract(buyer, provider) -> Contract:
    """A deal over two categories and an unclassified line: 10,000.00 zero-rated DMPK,
    2 x 25,000 tox at 6 % VAT (53,000.00) and 500 of shipping at 6 % (530.00)."""
    rfq = rfq_for(
        buyer,
        invite=[provider],
        capability_codes=("dmpk.in_vitro_adme", "safety.general_toxicology"),
    )
    lines = [
        LineInput("Hepatocyte stability", Decimal(1), Decimal("10000.00"), Decimal(0),
                  "zero_rated_export", "dmpk.in_vitro_adme"),
        LineInput("28-day rat tox", Decimal(2), Decimal("25000.00"), Decimal("0.06"), "standard",
                  "safety.general_toxicology.rodent"),
        LineInput("Sample shipping", Decimal(1), Decimal("500.00"), Decimal("0.06"), "standard"),
    ]  # fmt: skip
    return quote_accept(quote=quote_for(rfq, provider, lines=lines), by=buyer.owner)


def test_contracts_group_by_partner_country_with_exact_sums(parties):
    american, provider = parties
    german = buyer_party(country="DE")
    for buyer in (american, american, german):
        in_february(contract_for(buyer, provider))

    result = report(group_by="partner_country")

    assert table(result) == [
        ("2026-02", "US", "US", 2, Decimal("143360.00")),
        ("2026-02", "DE", "DE", 1, Decimal("71680.00")),
    ]
    assert result["totals"]["deals"] == 3
    assert result["totals"]["value_cny"] == Decimal("215040.00")
    assert result["rmb_share"] == Decimal("1.0000")


def test_a_contract_is_split_over_its_lines_categories_each_line_with_its_own_vat(parties):
    buyer, provider = parties
    in_february(split_contract(buyer, provider))
    in_february(contract_for(buyer, provider))

    result = report(group_by="category")

    assert table(result) == [
        ("2026-02", "safety", "Safety assessment (toxicology)", 1, Decimal("53000.00")),
        ("2026-02", "dmpk", "Drug metabolism and pharmacokinetics (DMPK)", 2,
         Decimal("52000.00")),
        ("2026-02", "unclassified", "Unclassified", 2, Decimal("30210.00")),
    ]  # fmt: skip
    assert result["totals"]["deals"] == 2  # each deal once, however many categories it has
    assert result["totals"]["value_cny"] == Decimal("63530.00") + DEFAULT_TOTAL
    assert sum(row["value_cny"] for row in result["rows"]) == result["totals"]["value_cny"]


def test_category_labels_follow_the_readers_language(parties):
    in_february(contract_for(*parties))

    with translation.override("zh-hans"):
        result = report(group_by="category")

    assert [row["label"] for row in result["rows"]][0] == "药物代谢及药代动力学"


def test_contracts_group_by_the_tier_of_the_zone_the_work_is_done_in(parties):
    buyer, shanghai = parties
    mainland = provider_party(zone_code="mainland")
    in_february(contract_for(buyer, shanghai))
    in_february(contract_for(buyer, mainland))
    rfq = rfq_for(buyer, invite=[shanghai])
    # A Shanghai provider doing this work in Hainan: the Hainan tier applies.
    quote = quote_for(rfq, shanghai, work_zone_code="hainan_ftp")
    in_february(quote_accept(quote=quote, by=buyer.owner))

    result = report(group_by="tier")

    assert sorted(table(result), key=lambda row: row[1]) == [
        ("2026-02", "hainan_ftp", "Hainan Free Trade Port", 1, DEFAULT_TOTAL),
        ("2026-02", "national", "National", 1, DEFAULT_TOTAL),
        ("2026-02", "pilot_ftz", "Pilot free trade zone", 1, DEFAULT_TOTAL),
    ]


def test_contracts_group_by_the_currency_the_buyer_was_quoted_in(parties):
    buyer, provider = parties
    in_february(contract_for(buyer, provider, budget_currency="EUR"))
    in_february(contract_for(buyer, provider, budget_currency="EUR"))
    in_february(contract_for(buyer, provider, budget_currency="USD"))
    in_february(contract_for(buyer, provider, budget_currency="CNY"))

    result = report(group_by="buyer_currency")

    assert table(result) == [
        ("2026-02", "EUR", "EUR · Euro", 2, Decimal("143360.00")),
        ("2026-02", "CNY", "CNY · 人民币", 1, DEFAULT_TOTAL),
        ("2026-02", "USD", "USD · US dollar", 1, DEFAULT_TOTAL),
    ]
    assert result["rmb_share"] == Decimal("1.0000")  # quoted in EUR, settled in RMB


def test_contracts_group_by_direction_and_a_domestic_deal_has_no_partner_country(parties):
    american, provider = parties
    chinese = buyer_party(country="CN")
    german_lab = provider_party(country="DE", zone_code=None)
    in_february(contract_for(american, provider))
    in_february(contract_for(chinese, provider))
    in_february(contract_for(chinese, german_lab))

    by_direction = report(group_by="direction")
    by_partner = report(group_by="partner_country")

    assert [(row["key"], row["label"], row["deals"]) for row in by_direction["rows"]] == [
        ("domestic", "Domestic", 1),
        ("inbound", "Inbound (service imported into China)", 1),
        ("outbound", "Outbound (service exported from China)", 1),
    ]
    assert [(row["key"], row["label"]) for row in by_partner["rows"]] == [
        ("DE", "DE"), ("US", "US"), ("none", "No foreign party (domestic deal)"),
    ]  # fmt: skip


def test_a_terminated_contract_is_left_out(parties):
    buyer, provider = parties
    kept = in_february(contract_for(buyer, provider))
    ended = in_february(contract_for(buyer, provider))
    contract_terminate(contract=ended, by=buyer.owner, reason="Programme stopped")

    result = report()

    assert result["totals"]["deals"] == 1
    assert result["totals"]["value_cny"] == kept.total_amount == DEFAULT_TOTAL


def test_contracts_fall_in_the_month_and_quarter_of_their_date_in_china(parties):
    buyer, provider = parties
    # 23:30 on 31 January in Shanghai is still January there (15:30 UTC).
    made_on(contract_for(buyer, provider), datetime(2026, 1, 31, 23, 30, tzinfo=SHANGHAI))
    made_on(contract_for(buyer, provider), datetime(2026, 3, 2, 9, tzinfo=SHANGHAI))
    # 20:00 UTC on 31 March is 04:00 on 1 April in Shanghai: April, the second quarter.
    made_on(contract_for(buyer, provider), datetime(2026, 3, 31, 20, tzinfo=ZoneInfo("UTC")))
    # Outside the range: the day before it starts and the day after it ends, in Shanghai.
    made_on(contract_for(buyer, provider), datetime(2025, 12, 31, 23, 59, tzinfo=SHANGHAI))
    made_on(contract_for(buyer, provider), datetime(2026, 6, 30, 16, 30, tzinfo=ZoneInfo("UTC")))

    by_month = report(period="month")
    by_quarter = report(period="quarter")

    assert [(row["period"], row["deals"]) for row in by_month["rows"]] == [
        ("2026-01", 1), ("2026-03", 1), ("2026-04", 1),
    ]  # fmt: skip
    assert [item["period"] for item in by_month["periods"]] == [
        "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06",
    ]  # fmt: skip
    assert [(row["period"], row["period_start"], row["deals"], row["value_cny"])
            for row in by_quarter["rows"]] == [
        ("2026-Q1", date(2026, 1, 1), 2, Decimal("143360.00")),
        ("2026-Q2", date(2026, 4, 1), 1, DEFAULT_TOTAL),
    ]  # fmt: skip


def test_usd_figures_use_each_quotes_snapshotted_rate_rounded_to_the_cent(parties):
    buyer, provider = parties
    first = in_february(contract_for(buyer, provider))
    second = in_february(contract_for(buyer, provider))
    assert first.revision.usd_rate == DEMO_USD_RATE
    # A rate changed after submission does not matter: the revision keeps its own.
    QuoteRevision.objects.filter(pk=second.revision_id).update(usd_rate=Decimal("0.1234567891"))

    result = report()

    # 71,680.00 x 0.1405 = 10,071.04; 71,680.00 x 0.1234567891 = 8,849.3826...
    assert result["rows"][0]["value_usd"] == Decimal("18920.42")
    assert result["totals"]["value_usd"] == Decimal("18920.42")
    assert result["totals"]["deals_without_usd_rate"] == 0


def test_usd_figures_are_blank_when_a_deal_in_them_had_no_usd_rate(parties):
    buyer, provider = parties
    german = buyer_party(country="DE")
    in_february(contract_for(buyer, provider))
    without_rate = in_february(contract_for(german, provider))
    QuoteRevision.objects.filter(pk=without_rate.revision_id).update(usd_rate=None)

    result = report()

    assert [(row["key"], row["value_usd"]) for row in result["rows"]] == [
        ("DE", None), ("US", Decimal("10071.04")),
    ]  # fmt: skip
    assert result["totals"]["value_usd"] is None
    assert result["totals"]["deals_without_usd_rate"] == 1


@pytest.mark.parametrize(
    "group_by", ["partner_country", "category", "tier", "buyer_currency", "direction"]
)
def test_the_report_takes_three_queries_however_many_contracts(
    parties, group_by, django_assert_max_num_queries
):
    buyer, provider = parties
    for _index in range(3):
        in_february(contract_for(buyer, provider))
    in_february(split_contract(buyer, provider))

    with django_assert_max_num_queries(3):
        result = report(group_by=group_by)

    assert result["totals"]["deals"] == 4


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"group_by": "provider"}, "Unknown grouping provider"),
        ({"period": "week"}, "Unknown period week"),
        ({"start": date(2026, 7, 1)}, "is after the end date"),
        ({"start": date(2000, 1, 1)}, "the report shows at most 60"),
    ],
)
def test_the_selector_refuses_parameters_that_make_no_report(values, message):
    with pytest.raises(ReportError, match=message):
        report(**values)


# The page


@pytest.fixture
def staff():
    return UserFactory(email="analyst@platform.example", is_staff=True)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={URL}"


def test_a_buyer_is_told_the_page_does_not_exist(client, parties):
    buyer, _provider = parties
    client.force_login(buyer.owner)

    assert client.get(URL).status_code == 404
    assert client.get(URL, {"format": "csv"}).status_code == 404


def test_staff_and_platform_moderators_see_the_report(client, staff):
    moderator = UserFactory(email="moderator@platform.example")
    moderator.groups.add(Group.objects.get(name=PLATFORM_MODERATORS))  # not is_staff

    client.force_login(staff)
    assert client.get(URL).status_code == 200
    client.force_login(moderator)
    assert client.get(URL).status_code == 200


def test_the_page_shows_a_chart_the_table_and_the_rmb_share(client, parties, staff):
    in_february(contract_for(*parties))
    client.force_login(staff)

    response = client.get(
        URL, {"from": "2026-01-01", "to": "2026-06-30", "period": "month", "group_by": "tier"}
    )

    assert response.status_code == 200
    page = response.text
    assert '<svg viewBox="0 0 760 320" role="img"' in page
    assert '<title id="trade-chart-title">' in page
    assert "2026-02 · Pilot free trade zone: CNY 71,680.00 (1 deal)" in page
    assert '<td>Pilot free trade zone <span class="meta">pilot_ftz</span></td>' in page
    assert '<td class="number">71,680.00</td><td class="number">10,071.04</td>' in page
    assert "100.0 %" in page
    assert (
        'href="?from=2026-01-01&amp;to=2026-06-30&amp;period=month&amp;group_by=tier&amp;'
        'format=csv"' in page
    )
    # Figures are grouped the same way for Chinese readers.
    chinese = client.get(URL, {"from": "2026-01-01"}, HTTP_ACCEPT_LANGUAGE="zh-hans").text
    assert '<td class="number">71,680.00</td>' in chinese


def test_the_page_without_contracts_says_so(client, staff):
    client.force_login(staff)

    response = client.get(URL, {"from": "2020-01-01", "to": "2020-03-31"})

    assert response.status_code == 200
    assert "No contracts were made in this range." in response.text
    assert "trade-chart-title" not in response.text  # no chart


def test_the_csv_has_plain_amounts_utf8_with_a_byte_order_mark(client, parties, staff):
    in_february(contract_for(*parties))
    client.force_login(staff)
    query = {"from": "2026-01-01", "to": "2026-06-30", "period": "quarter",
             "group_by": "category", "format": "csv"}  # fmt: skip

    response = client.get(URL, query, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="trade-report-20260101-20260630-category-quarter.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows[0]) == 6
    # 42,000.00 x 0.1405 = 5,901.00 and 29,680.00 x 0.1405 = 4,170.04
    assert rows[1:] == [
        ["2026-Q1", "dmpk", "药物代谢及药代动力学", "1", "42000.00", "5901.00"],
        ["2026-Q1", "unclassified", rows[2][2], "1", "29680.00", "4170.04"],
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2026-02-30"}, "2026-02-30 is not a date"),
        ({"to": "yesterday"}, "yesterday is not a date"),
        ({"from": "2026-06-01", "to": "2026-01-01"}, "is after the end date"),
        ({"group_by": "provider"}, "Unknown grouping provider"),
        ({"period": "week"}, "Unknown period week"),
        ({"from": "1990-01-01", "to": "2026-01-01", "format": "csv"}, "at most 60"),
    ],
)
def test_filters_that_make_no_report_get_a_400_page_saying_why(client, staff, query, message):
    client.force_login(staff)

    response = client.get(URL, query)

    assert response.status_code == 400
    assert message in response.text
    assert response["Content-Type"].startswith("text/html")


def test_platform_moderators_find_the_report_in_the_admin_menu(client):
    moderator = UserFactory(email="moderator@platform.example")
    platform_moderator_add(user=moderator)

    client.force_login(moderator)
    assert URL in client.get(reverse("wagtailadmin_home")).text
