"""The API's JSON parser: the standard one, refusing text that no column or answer can hold."""

import re

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# A NUL character (PostgreSQL text and jsonb refuse it) or half of a surrogate pair (JSON
# escapes can spell one; it is not Unicode text, so no UTF-8 answer can repeat it back).
UNFIT_TEXT = re.compile("[\x00\ud800-\udfff]")


def _unfit_text(data) -> bool:
    """Whether any key or string anywhere in parsed JSON holds unfit text (no recursion: a
    deeply nested body the parser took does not exhaust the stack here)."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if UNFIT_TEXT.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class JSONParser(parsers.JSONParser):
    """JSON as DRF parses it (exact integers, any size), and a 400 for a NUL character or a lone
    surrogate in any key or string: text like that is no one's input, and would otherwise reach
    a column that refuses it or an answer that cannot be encoded (a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if _unfit_text(data):
            raise ParseError(
                _("The request holds a NUL character or an unpaired surrogate: send Unicode text.")
            )
        return data
