"""The reader's language, as the pages and emails choose text by it."""

from django.utils.translation import get_language


def reads_chinese(language: str | None = None) -> bool:
    """Whether ``language`` (by default the active one) is Chinese: zh, zh-hans, zh-CN, ..."""
    return (language or get_language() or "en").lower().startswith("zh")
