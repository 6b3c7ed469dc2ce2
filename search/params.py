"""The search parameters: one parser for the search pages and the JSON API.

Each ``*_query`` function reads request parameters (a ``QueryDict``) and returns the query for
``search.selectors.search_results``, or ``None`` and the errors by field (a 400 for the caller).
"""

from rest_framework import serializers

from cms.models import ServicePage
from marketplace.columns import column_range
from search.queries import (
    JOB_FILTERS,
    KEYWORD_FILTERS,
    PROVIDER_FILTERS,
    SORTS,
    JobQuery,
    ProviderQuery,
    SearchQuery,
    ServiceQuery,
)


def _params(query_params, list_fields) -> dict:
    """Request parameters for a serializer: filters may repeat (``?zone=a&zone=b``); an empty
    value (a form's blank field) is no value."""
    params = {}
    for key in query_params:
        if key in list_fields:
            values = [value for value in query_params.getlist(key) if value != ""]
            if values:
                params[key] = values
        elif (value := query_params.get(key)) != "" or key == "q":
            params[key] = value
    return params


# The longest value a filter takes, whichever search it filters: filter names by length.
_FILTERS_BY_LENGTH = {
    120: ("capability", "therapeutic_area", "modality", "species", "discipline"),
    100: ("city",),
    40: ("standard", "zone", "tier", "delivery"),
    20: ("kind", "level", "degree"),
    10: ("language",),
    4: ("sponsorship",),
}
MAX_LENGTH = {name: length for length, names in _FILTERS_BY_LENGTH.items() for name in names}


def _values(max_length: int) -> serializers.ListField:
    """A filter's values (the parameter may repeat), each of at most ``max_length`` characters."""
    return serializers.ListField(child=serializers.CharField(max_length=max_length), required=False)


def _verified() -> serializers.BooleanField:
    return serializers.BooleanField(required=False, default=False)


def _exclude_flagged() -> serializers.BooleanField:
    return serializers.BooleanField(
        required=False, default=False,
        help_text="leave out providers named on a company-of-concern list",
    )  # fmt: skip


def _rating_min() -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=2, decimal_places=1, min_value=1, max_value=5, required=False,
        help_text="the least average rating of verified reviews, 1 to 5",
    )  # fmt: skip


class SearchParams(serializers.Serializer):
    """The parameters of one kind of search: ``q``, one repeatable filter per entry of
    ``filters`` (the kind's filter table in ``search.queries``), the subclass's own fields, then
    ``page``; ``parse`` turns them into the kind's ``query_class``."""

    filters: dict[str, str] = {}
    query_class = SearchQuery
    # The query's other attributes, each read from the parameter named here.
    query_values: dict[str, str] = {}

    def get_fields(self) -> dict:
        return {
            "q": serializers.CharField(
                required=False, allow_blank=True, max_length=200, default=""
            ),
            **{name: _values(MAX_LENGTH[name]) for name in self.filters},
            **super().get_fields(),
            "page": serializers.IntegerField(min_value=1, max_value=500, required=False, default=1),
        }

    @classmethod
    def parse(cls, query_params) -> tuple:
        """The query from request parameters, or ``None`` and the errors by field."""
        params = cls(data=_params(query_params, cls.filters))
        if not params.is_valid():
            return None, params.errors
        data = params.validated_data
        return cls.query_class(
            text=data["q"],
            filters={name: data[name] for name in cls.filters if data.get(name)},
            page=data["page"],
            **{attribute: data.get(name) for attribute, name in cls.query_values.items()},
        ), {}


class ServiceSearchParams(SearchParams):
    filters = KEYWORD_FILTERS
    query_class = ServiceQuery
    query_values = {
        "price_max": "price_max",
        "turnaround_max": "turnaround_max",
        "verified_only": "verified",
        "rating_min": "rating_min",
        "exclude_flagged": "exclude_flagged",
        "sort": "sort",
    }

    price_max = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, help_text="CNY"
    )
    # Up to what a listing's turnaround holds: Elasticsearch refuses a larger integer outright.
    turnaround_max = serializers.IntegerField(
        min_value=1,
        max_value=column_range(ServicePage, "turnaround_days")[1],
        required=False,
        help_text="days",
    )
    verified = _verified()
    rating_min = _rating_min()
    exclude_flagged = _exclude_flagged()
    sort = serializers.ChoiceField(choices=list(SORTS), required=False, default="relevance")


class JobSearchParams(SearchParams):
    filters = JOB_FILTERS
    query_class = JobQuery
    query_values = {"salary_at_least": "salary_at_least"}

    salary_at_least = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, help_text="CNY a month"
    )


class ProviderSearchParams(SearchParams):
    filters = PROVIDER_FILTERS
    query_class = ProviderQuery
    query_values = {
        "verified_only": "verified",
        "rating_min": "rating_min",
        "exclude_flagged": "exclude_flagged",
    }

    verified = _verified()
    rating_min = _rating_min()
    exclude_flagged = _exclude_flagged()


# The parsers the pages and the API call: a query from request parameters, or ``None`` and the
# errors by field.
service_query = ServiceSearchParams.parse
job_query = JobSearchParams.parse
provider_query = ProviderSearchParams.parse
