from decimal import Decimal

from marketplace.columns import column_error, column_range
from marketplace.contracting.models import QuoteLine, Rfq
from payments.models import Payment


def test_the_bounds_are_read_from_the_model_field_the_same_on_every_database():
    assert column_range(Rfq, "personal_info_subjects_ytd") == (0, 2147483647)
    assert column_range(QuoteLine, "quantity") == (
        Decimal("-999999999.999"), Decimal("999999999.999"),
    )  # fmt: skip
    assert column_range(Payment, "total_amount") == (
        Decimal("-999999999999.99"), Decimal("999999999999.99"),
    )  # fmt: skip


def test_a_number_the_column_cannot_hold_is_told_why_and_one_it_can_is_not():
    assert column_error(Rfq, "personal_info_subjects_ytd", 2**31) == "At most 2,147,483,647."
    assert column_error(Rfq, "personal_info_subjects_ytd", -1) == "At least 0."
    assert column_error(QuoteLine, "quantity", Decimal("1e9")) == "At most 999,999,999.999."
    assert column_error(QuoteLine, "quantity", Decimal("1.0001")) == "At most 3 decimal places."
    assert column_error(QuoteLine, "quantity", Decimal("1E-999999")) == (
        "At most 3 decimal places."
    )
    assert column_error(Rfq, "personal_info_subjects_ytd", 2**31 - 1) is None
    assert column_error(QuoteLine, "quantity", Decimal("999999999.999")) is None
    assert column_error(QuoteLine, "quantity", Decimal("1.500")) is None
