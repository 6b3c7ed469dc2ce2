import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from marketplace.catalog.models import FxRate
from marketplace.catalog.selectors import fx_rate_latest, price_estimator
from marketplace.catalog.services import CatalogDataError, fx_rates_load

pytestmark = pytest.mark.django_db


def test_rates_load_from_csv_once_and_the_latest_one_wins(tmp_path):
    older = tmp_path / "older.json"
    older.write_text(json.dumps([
        {"base_currency": "CNY", "quote_currency": "USD", "rate": "0.1300",
         "source": "Bank A", "as_of": "2026-01-01T09:00:00+08:00"},
    ]))  # fmt: skip
    FxRate.objects.all().delete()  # the demo site loaded them

    assert fx_rates_load()["created"] == 8
    assert fx_rates_load() == {"created": 0, "skipped": 8}
    assert fx_rates_load(path=older)["created"] == 1
    latest = fx_rate_latest(base="CNY", quote="USD")
    assert latest.rate == Decimal("0.1405")
    assert fx_rate_latest(base="CNY", quote="USD", at=datetime(2026, 6, 1, tzinfo=UTC)).source == (
        "Bank A"
    )
    assert fx_rate_latest(base="USD", quote="CNY") is None


def test_a_price_estimator_reads_the_rate_once_and_rounds_as_the_currency_does(
    django_assert_num_queries,
):
    FxRate.objects.all().delete()
    fx_rates_load()

    with django_assert_num_queries(1):
        estimate = price_estimator(currency="JPY")
        shown = [estimate(amount) for amount in (Decimal("71680.00"), "1000", None, "")]

    assert estimate.currency == "JPY" and estimate.rate == fx_rate_latest(base="CNY", quote="JPY")
    assert shown[:2] == [Decimal("1532518"), Decimal("21380")]  # at 21.38, no minor unit
    assert shown[2:] == [None, None]
    assert price_estimator(currency="CNY") is None
    assert price_estimator(currency=None) is None
    FxRate.objects.filter(quote_currency="EUR").delete()
    with django_assert_num_queries(1):
        assert price_estimator(currency="EUR") is None


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"quote_currency": "XYZ"}, "unknown currency 'XYZ'"),
        ({"rate": "-1"}, "must be positive"),
        ({"rate": "abc"}, "is not a number"),
        ({"as_of": "2026-11-01T09:00:00"}, "needs a time zone"),
        ({"quote_currency": "CNY"}, "two different currencies"),
        ({"source": ""}, "needs base_currency"),
    ],
)
def test_a_file_with_a_bad_rate_loads_nothing_and_says_which(tmp_path, row, message):
    good = {"base_currency": "CNY", "quote_currency": "USD", "rate": "0.14",
            "source": "Bank", "as_of": "2026-11-01T09:00:00+08:00"}  # fmt: skip
    path = tmp_path / "rates.json"
    path.write_text(json.dumps([good, {**good, "as_of": "2026-11-02T09:00:00+08:00", **row}]))
    before = FxRate.objects.count()

    with pytest.raises(CatalogDataError, match=f"rate 2: .*{message}"):
        fx_rates_load(path=path)
    assert FxRate.objects.count() == before


def test_the_command_reports_counts_and_refuses_missing_files(capsys):
    FxRate.objects.all().delete()
    call_command("load_fx_rates")
    assert "8 added" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No such file"):
        call_command("load_fx_rates", "missing.csv")
