"""The reader's language, as the pages and emails choose text by it."""

from functools import cache

from babel import Locale
from django.utils.translation import get_language


def reads_chinese(language: str | None = None) -> bool:
    """Whether ``language`` (by default the active one) is Chinese: zh, zh-hans, zh-CN, ..."""
    return (language or get_language() or "en").lower().startswith("zh")


@cache
def _territories(chinese: bool) -> dict[str, str]:
    return dict(Locale.parse("zh_Hans" if chinese else "en").territories)


def country_name(code: str, language: str | None = None) -> str:
    """A country's name (ISO 3166-1 alpha-2 ``code``) in the reader's language, from CLDR."""
    return _territories(reads_chinese(language)).get((code or "").upper(), code)
