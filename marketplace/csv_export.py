"""CSV downloads that spreadsheets open safely: one writer for every export of the site.

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a
formula by Excel, LibreOffice and Google Sheets (CSV injection); such cells are written with a
leading apostrophe, which the spreadsheet shows as text. Numbers are written as they are.
"""

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """``value`` as a cell no spreadsheet runs: text that could start a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _SafeWriter:
    def __init__(self, stream):
        self._writer = csv.writer(stream)

    def writerow(self, row):
        return self._writer.writerow([spreadsheet_safe(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def spreadsheet_safe_writer(stream) -> _SafeWriter:
    """A ``csv.writer`` on ``stream`` whose every text cell is made safe by ``spreadsheet_safe``."""
    return _SafeWriter(stream)
