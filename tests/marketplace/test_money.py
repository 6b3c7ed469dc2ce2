from decimal import Decimal

import pytest

from marketplace.money import (
    CurrencyError,
    Money,
    from_minor_units,
    round_amount,
    split_by_shares,
    to_minor_units,
)


def test_amounts_round_half_up_to_each_currencys_minor_unit():
    assert round_amount(Decimal("10.005"), "CNY") == Decimal("10.01")
    assert round_amount(Decimal("10.004"), "CNY") == Decimal("10.00")
    assert round_amount(Decimal("1234.5"), "JPY") == Decimal("1235")


def test_money_refuses_floats_unknown_currencies_and_mixed_sums():
    with pytest.raises(TypeError):
        Money(0.1, "CNY")
    with pytest.raises(CurrencyError):
        Money(Decimal(1), "XYZ")
    with pytest.raises(CurrencyError):
        Money(Decimal(1), "CNY") + Money(Decimal(1), "USD")


def test_minor_units_are_exact_or_refused():
    assert to_minor_units(Money(Decimal("1234.56"), "CNY")) == 123456
    assert to_minor_units(Money(Decimal("1235"), "JPY")) == 1235
    with pytest.raises(CurrencyError):
        to_minor_units(Money(Decimal("1.005"), "CNY"))


def test_minor_units_read_back_as_the_currencys_exact_amount():
    # Compared as text: Decimal("0") == Decimal("0.00"), but only one has the currency's places.
    assert str(from_minor_units(123456, "CNY")) == "1234.56"
    assert str(from_minor_units(1235, "JPY")) == "1235"
    assert str(from_minor_units(0, "USD")) == "0.00"
    assert str(from_minor_units(-150, "EUR")) == "-1.50"
    for amount, currency in ((Decimal("1234.56"), "CNY"), (Decimal("1235"), "JPY")):
        money = Money(amount, currency)
        assert from_minor_units(to_minor_units(money), currency) == amount
    with pytest.raises(CurrencyError):
        from_minor_units(100, "XYZ")


def test_shares_split_a_total_into_parts_that_add_up_to_it_exactly():
    total = Money(Decimal("100000.01"), "CNY")

    parts = split_by_shares(total, [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")])

    assert [part.amount for part in parts] == [
        Decimal("33330.00"), Decimal("33330.00"), Decimal("33340.01"),
    ]  # fmt: skip
    assert sum(part.amount for part in parts) == total.amount
    with pytest.raises(ValueError, match="100"):
        split_by_shares(total, [Decimal(50), Decimal(49)])
