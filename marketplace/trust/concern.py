"""The company-of-concern screen: which provider organisations match a company named on a list.

Names are compared after folding case, width and punctuation and dropping the legal form
("Co., Ltd.", "Inc.", "有限公司", ...): "WuXi AppTec Co., Ltd." matches an organisation named
"Wuxi AppTec". Equal names only: a list entry never flags a company that merely contains it.
"""

import re
import unicodedata

LEGAL_FORMS = (
    "股份有限公司", "有限责任公司", "有限公司", "集团", "公司",
    "co", "company", "corp", "corporation", "inc", "incorporated", "ltd", "limited", "llc",
    "plc", "gmbh", "ag", "sa", "group", "holdings", "holding",
)  # fmt: skip
_WORD = re.compile(r"[\w]+", re.UNICODE)


def normalised(name: str) -> str:
    """A company name reduced to what identifies it: ``"wuxi apptec"``."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    for form in LEGAL_FORMS:
        if not form.isascii():
            text = text.replace(form, " ")
    words = [word for word in _WORD.findall(text) if word not in LEGAL_FORMS]
    return " ".join(words)
