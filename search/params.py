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


def _parse(params_class, list_fields, build, query_params) -> tuple:
    params = params_class(data=_params(query_params, list_fields))
    if not params.is_valid():
        return None, params.errors
    return build(params.validated_data), {}


def _words() -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


def _values(max_length: int) -> serializers.ListField:
    """A filter's values (the parameter may repeat), each of at most ``max_length`` characters."""
    return serializers.ListField(child=serializers.CharField(max_length=max_length), required=False)


def _verified() -> serializers.BooleanField:
    return serializers.BooleanField(required=False, default=False)


def _page() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=500, required=False, default=1)


class ServiceSearchParams(serializers.Serializer):
    q = _words()
    capability = _values(120)
    therapeutic_area = _values(120)
    modality = _values(120)
    species = _values(120)
    standard = _values(40)
    zone = _values(40)
    tier = _values(40)
    city = _values(100)
    delivery = _values(40)
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
    sort = serializers.ChoiceField(choices=list(SORTS), required=False, default="relevance")
    page = _page()


def _service_query(data: dict) -> ServiceQuery:
    return ServiceQuery(
        text=data["q"],
        filters={name: data[name] for name in KEYWORD_FILTERS if data.get(name)},
        price_max=data.get("price_max"),
        turnaround_max=data.get("turnaround_max"),
        verified_only=data["verified"],
        sort=data["sort"],
        page=data["page"],
    )


def service_query(query_params) -> tuple[ServiceQuery | None, dict]:
    """A ``ServiceQuery`` from request parameters, or ``None`` and the errors by field."""
    return _parse(ServiceSearchParams, KEYWORD_FILTERS, _service_query, query_params)


class JobSearchParams(serializers.Serializer):
    q = _words()
    city = _values(100)
    level = _values(20)
    degree = _values(20)
    discipline = _values(120)
    language = _values(10)
    sponsorship = _values(4)
    zone = _values(40)
    salary_at_least = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, help_text="CNY a month"
    )
    page = _page()


def _job_query(data: dict) -> JobQuery:
    return JobQuery(
        text=data["q"],
        filters={name: data[name] for name in JOB_FILTERS if data.get(name)},
        salary_at_least=data.get("salary_at_least"),
        page=data["page"],
    )


def job_query(query_params) -> tuple[JobQuery | None, dict]:
    """A ``JobQuery`` from request parameters, or ``None`` and the errors by field."""
    return _parse(JobSearchParams, JOB_FILTERS, _job_query, query_params)


class ProviderSearchParams(serializers.Serializer):
    q = _words()
    capability = _values(120)
    standard = _values(40)
    zone = _values(40)
    tier = _values(40)
    city = _values(100)
    kind = _values(20)
    verified = _verified()
    page = _page()


def _provider_query(data: dict) -> ProviderQuery:
    return ProviderQuery(
        text=data["q"],
        filters={name: data[name] for name in PROVIDER_FILTERS if data.get(name)},
        verified_only=data["verified"],
        page=data["page"],
    )


def provider_query(query_params) -> tuple[ProviderQuery | None, dict]:
    """A ``ProviderQuery`` from request parameters, or ``None`` and the errors by field."""
    return _parse(ProviderSearchParams, PROVIDER_FILTERS, _provider_query, query_params)
