"""Trust facts shared by the tests: a company-of-concern list's own fields."""

CONCERN_LIST = {
    "name": "Biotechnology companies of concern",
    "source": "Register of a foreign government",
    "url": "https://example.org/list",
    "published_on": "2026-01-15",
}
