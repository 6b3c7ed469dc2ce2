"""Money: a Decimal amount with an ISO 4217 currency, rounded the way that currency is.

CNY is the settlement currency. Amounts are never floats; conversion to a payment provider's
integer minor units happens in ``to_minor_units`` and back in ``from_minor_units``, nowhere else.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models.functions import Round
from django.utils.translation import gettext_lazy as _

SETTLEMENT_CURRENCY = "CNY"
# Decimal places of each supported currency (ISO 4217 minor units).
MINOR_UNITS = {
    "CNY": 2, "USD": 2, "EUR": 2, "GBP": 2, "CHF": 2, "JPY": 0, "KRW": 0, "SGD": 2, "AUD": 2,
    "CAD": 2, "HKD": 2, "SEK": 2, "DKK": 2, "NOK": 2, "INR": 2, "NZD": 2,
}  # fmt: skip


class Currency(models.TextChoices):
    CNY = "CNY", "CNY · 人民币"
    USD = "USD", "USD · US dollar"
    EUR = "EUR", "EUR · Euro"
    GBP = "GBP", "GBP · Pound sterling"
    CHF = "CHF", "CHF · Swiss franc"
    JPY = "JPY", "JPY · 日本円"
    KRW = "KRW", "KRW · 원"
    SGD = "SGD", "SGD · Singapore dollar"
    AUD = "AUD", "AUD · Australian dollar"
    CAD = "CAD", "CAD · Canadian dollar"
    HKD = "HKD", "HKD · 港元"
    SEK = "SEK", "SEK · Swedish krona"
    DKK = "DKK", "DKK · Danish krone"
    NOK = "NOK", "NOK · Norwegian krone"
    INR = "INR", "INR · Indian rupee"
    NZD = "NZD", "NZD · New Zealand dollar"


# Each currency's name in the reader's language, for choosing one (the code stays beside it).
CURRENCY_NAMES = {
    "CNY": _("Chinese yuan"), "USD": _("US dollar"), "EUR": _("Euro"),
    "GBP": _("Pound sterling"), "CHF": _("Swiss franc"), "JPY": _("Japanese yen"),
    "KRW": _("South Korean won"), "SGD": _("Singapore dollar"), "AUD": _("Australian dollar"),
    "CAD": _("Canadian dollar"), "HKD": _("Hong Kong dollar"), "SEK": _("Swedish krona"),
    "DKK": _("Danish krone"), "NOK": _("Norwegian krone"), "INR": _("Indian rupee"),
    "NZD": _("New Zealand dollar"),
}  # fmt: skip


# The currency a buyer established in a country thinks in (euro-area countries: EUR).
EURO_AREA = (
    "AT BE CY DE EE ES FI FR GR HR IE IT LT LU LV MT NL PT SI SK"
).split()  # fmt: skip
COUNTRY_CURRENCY = {
    "US": "USD", "GB": "GBP", "CH": "CHF", "JP": "JPY", "KR": "KRW", "SG": "SGD", "AU": "AUD",
    "CA": "CAD", "HK": "HKD", "SE": "SEK", "DK": "DKK", "NO": "NOK", "IN": "INR", "NZ": "NZD",
    **dict.fromkeys(EURO_AREA, "EUR"),
}  # fmt: skip


def currency_of_country(country: str) -> str | None:
    """The currency of a country we quote in, or None (CNY for China)."""
    return "CNY" if country == "CN" else COUNTRY_CURRENCY.get(country)


# Where exchange rates come from, by the name the rate table stores, in the reader's language.
# A source not named here shows as stored (it is data from the rates import).
FX_SOURCE_NAMES = {
    "Demo reference rates (not for settlement)": _("Demo reference rates (not for settlement)"),
    "CFETS central parity": _("CFETS central parity"),
    "PBOC central parity": _("PBOC central parity"),
    "ECB euro reference rates": _("ECB euro reference rates"),
}


def fx_source_name(source: str) -> str:
    return str(FX_SOURCE_NAMES.get(source, source))


def currency_choices() -> list[tuple[str, str]]:
    """The currencies as a form offers them: "USD · 美元" for a Chinese reader."""
    return [(code, f"{code} · {CURRENCY_NAMES[code]}") for code in Currency.values]


class CurrencyError(ValueError):
    """An unknown currency, or arithmetic across two currencies."""


def quantum(currency: str) -> Decimal:
    if currency not in MINOR_UNITS:
        raise CurrencyError(f"Unknown currency {currency!r}.")
    return Decimal(1).scaleb(-MINOR_UNITS[currency])


def round_amount(amount: Decimal, currency: str) -> Decimal:
    """``amount`` rounded half-up to the currency's minor unit (fen for CNY, yen for JPY)."""
    return Decimal(amount).quantize(quantum(currency), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self):
        if isinstance(self.amount, float):
            raise TypeError("Money takes a Decimal or an int, never a float.")
        quantum(self.currency)  # refuses unknown currencies
        object.__setattr__(self, "amount", Decimal(self.amount))

    def rounded(self) -> "Money":
        return Money(round_amount(self.amount, self.currency), self.currency)

    def _same(self, other: "Money") -> None:
        if not isinstance(other, Money) or other.currency != self.currency:
            raise CurrencyError(f"Cannot combine {self.currency} with {other!r}.")

    def __add__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor) -> "Money":
        if isinstance(factor, float):
            raise TypeError("Multiply Money by a Decimal or an int, never a float.")
        return Money(self.amount * Decimal(factor), self.currency)

    def __lt__(self, other: "Money") -> bool:
        self._same(other)
        return self.amount < other.amount

    def __str__(self) -> str:
        return f"{self.currency} {self.rounded().amount:,}"


def to_minor_units(money: Money) -> int:
    """The integer a payment provider expects (fen for CNY); the amount must already be exact."""
    rounded = money.rounded()
    if rounded.amount != money.amount:
        raise CurrencyError(f"{money} has more precision than {money.currency} allows.")
    return int(rounded.amount.scaleb(MINOR_UNITS[money.currency]))


def from_minor_units(amount: int, currency: str) -> Decimal:
    """The Decimal amount a payment provider's integer means (12345 fen is CNY 123.45)."""
    if currency not in MINOR_UNITS:
        raise CurrencyError(f"Unknown currency {currency!r}.")
    return Decimal(amount).scaleb(-MINOR_UNITS[currency])


def split_by_shares(total: Money, shares: list[Decimal]) -> list[Money]:
    """Split ``total`` by percentage ``shares`` (summing to 100) into rounded parts that sum to
    it exactly: each part is rounded and the last one takes the remainder."""
    if sum(shares, Decimal(0)) != Decimal(100):
        raise ValueError("Shares must add up to 100.")
    parts = [
        Money(round_amount(total.amount * share / 100, total.currency), total.currency)
        for share in shares[:-1]
    ]
    allocated = sum((part.amount for part in parts), Decimal(0))
    return [*parts, Money(total.amount - allocated, total.currency)]


def sum_matches(total: str, *parts: str, decimal_places: int = 2) -> models.Q:
    """A check-constraint condition: column ``total`` equals the sum of the ``parts`` columns.

    Compared rounded to the columns' decimal places: PostgreSQL adds numerics exactly, but SQLite
    (the local site) adds decimal columns as binary floats, where 21355.20 + 320.33 is not
    21675.53. Rounded, both databases agree on every amount a column can hold.
    """
    summed = models.F(parts[0])
    for part in parts[1:]:
        summed = summed + models.F(part)
    return models.Q(**{total: Round(summed, decimal_places)})
