"""JSON search API: ``/api/v1/search/services``, ``/jobs``, ``/providers``. Thin: parse, search,
shape; the database answers when Elasticsearch cannot."""

import logging

from django.urls import reverse
from django.utils.http import urlencode
from drf_spectacular.utils import extend_schema, extend_schema_view
from elasticsearch import ApiError, NotFoundError, TransportError
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cms.models import ServicePage
from marketplace.catalog.selectors import capabilities_matching
from marketplace.columns import column_range
from marketplace.language import reads_chinese
from search.fallback import (
    search_jobs_from_database,
    search_providers_from_database,
    search_services_from_database,
)
from search.queries import (
    JOB_FILTERS,
    KEYWORD_FILTERS,
    PROVIDER_FILTERS,
    SORTS,
    JobQuery,
    ProviderQuery,
    ServiceQuery,
    search_jobs,
    search_providers,
    search_services,
    suggest_listings,
)

logger = logging.getLogger(__name__)


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


class SearchView(APIView):
    """Parse the parameters, run the search, answer from the database if Elasticsearch cannot."""

    permission_classes = [AllowAny]
    params_class: type[serializers.Serializer]
    list_fields: dict[str, str]

    def build_query(self, data: dict):
        raise NotImplementedError

    def search(self, query) -> dict:
        raise NotImplementedError

    def search_database(self, query) -> dict:
        raise NotImplementedError

    def get(self, request: Request) -> Response:
        params = self.params_class(data=_params(request.query_params, self.list_fields))
        if not params.is_valid():
            return Response(params.errors, status=400)
        query = self.build_query(params.validated_data)
        try:
            return Response(self.search(query))
        except (TransportError, ApiError, NotFoundError):
            logger.warning("Elasticsearch unavailable; answering from the database", exc_info=True)
            return Response(self.search_database(query))


class ServiceSearchParams(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    capability = serializers.ListField(child=serializers.CharField(max_length=120), required=False)
    therapeutic_area = serializers.ListField(
        child=serializers.CharField(max_length=120), required=False
    )
    modality = serializers.ListField(child=serializers.CharField(max_length=120), required=False)
    species = serializers.ListField(child=serializers.CharField(max_length=120), required=False)
    standard = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    zone = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    tier = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    city = serializers.ListField(child=serializers.CharField(max_length=100), required=False)
    delivery = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
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
    verified = serializers.BooleanField(required=False, default=False)
    sort = serializers.ChoiceField(choices=list(SORTS), required=False, default="relevance")
    page = serializers.IntegerField(min_value=1, max_value=500, required=False, default=1)


def service_query(query_params) -> tuple[ServiceQuery | None, dict]:
    """A ``ServiceQuery`` from request parameters, or ``None`` and the errors by field."""
    params = ServiceSearchParams(data=_params(query_params, KEYWORD_FILTERS))
    if not params.is_valid():
        return None, params.errors
    return _service_query(params.validated_data), {}


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


class FacetBucket(serializers.Serializer):
    value = serializers.CharField()
    count = serializers.IntegerField()


class SearchAnswer(serializers.Serializer):
    """The envelope of every search answer (``search.queries.answer``); subclasses add results."""

    count = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    facets = serializers.DictField(child=FacetBucket(many=True))
    took_ms = serializers.IntegerField()
    degraded = serializers.BooleanField()
    did_you_mean = serializers.CharField(
        allow_null=True, help_text="the query with misspelt words corrected, if any were"
    )


class ServiceHit(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField(allow_null=True)
    kind = serializers.ChoiceField(["service", "tcm"])
    title = serializers.CharField()
    title_en = serializers.CharField(allow_blank=True)
    title_zh = serializers.CharField(allow_blank=True)
    provider = serializers.CharField()
    provider_url = serializers.CharField()
    url = serializers.CharField()
    zone = serializers.CharField(allow_null=True)
    city = serializers.CharField(allow_blank=True)
    is_verified = serializers.BooleanField()
    price_from = serializers.CharField(allow_null=True, help_text="a decimal amount, as text")
    price_currency = serializers.CharField()
    turnaround_days = serializers.IntegerField(allow_null=True)
    capabilities = serializers.ListField(child=serializers.CharField())
    standards = serializers.ListField(child=serializers.CharField())
    highlight = serializers.DictField(child=serializers.CharField())


class ServiceSearchResult(SearchAnswer):
    results = ServiceHit(many=True)


@extend_schema_view(
    get=extend_schema(
        parameters=[ServiceSearchParams], responses={200: ServiceSearchResult, 400: None}
    )
)
class ServiceSearchView(SearchView):
    """Search service listings (CRO and TCM) by capability, in English or Chinese."""

    params_class = ServiceSearchParams
    list_fields = KEYWORD_FILTERS

    def build_query(self, data: dict) -> ServiceQuery:
        return _service_query(data)

    def search(self, query: ServiceQuery) -> dict:
        return search_services(query)

    def search_database(self, query: ServiceQuery) -> dict:
        return search_services_from_database(query)


class JobSearchParams(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    city = serializers.ListField(child=serializers.CharField(max_length=100), required=False)
    level = serializers.ListField(child=serializers.CharField(max_length=20), required=False)
    degree = serializers.ListField(child=serializers.CharField(max_length=20), required=False)
    discipline = serializers.ListField(child=serializers.CharField(max_length=120), required=False)
    language = serializers.ListField(child=serializers.CharField(max_length=10), required=False)
    sponsorship = serializers.ListField(child=serializers.CharField(max_length=4), required=False)
    zone = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    salary_at_least = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, help_text="CNY a month"
    )
    page = serializers.IntegerField(min_value=1, max_value=500, required=False, default=1)


class JobHit(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField(allow_null=True)
    title = serializers.CharField()
    title_en = serializers.CharField(allow_blank=True)
    title_zh = serializers.CharField(allow_blank=True)
    provider = serializers.CharField()
    provider_zh = serializers.CharField(allow_blank=True)
    url = serializers.CharField()
    city = serializers.CharField()
    level = serializers.CharField()
    degree = serializers.CharField()
    work_permit_sponsorship = serializers.CharField()
    salary_min = serializers.CharField(allow_null=True)
    salary_max = serializers.CharField(allow_null=True)
    salary_currency = serializers.CharField()
    closes_on = serializers.CharField(allow_null=True)


class JobSearchResult(SearchAnswer):
    results = JobHit(many=True)


@extend_schema_view(
    get=extend_schema(parameters=[JobSearchParams], responses={200: JobSearchResult, 400: None})
)
class JobSearchView(SearchView):
    """Search open job postings: graduate and intern roles first."""

    params_class = JobSearchParams
    list_fields = JOB_FILTERS

    def build_query(self, data: dict) -> JobQuery:
        return _job_query(data)

    def search(self, query: JobQuery) -> dict:
        return search_jobs(query)

    def search_database(self, query: JobQuery) -> dict:
        return search_jobs_from_database(query)


def job_query(query_params) -> tuple[JobQuery | None, dict]:
    """A ``JobQuery`` from request parameters, or ``None`` and the errors by field."""
    params = JobSearchParams(data=_params(query_params, JOB_FILTERS))
    if not params.is_valid():
        return None, params.errors
    return _job_query(params.validated_data), {}


def _job_query(data: dict) -> JobQuery:
    return JobQuery(
        text=data["q"],
        filters={name: data[name] for name in JOB_FILTERS if data.get(name)},
        salary_at_least=data.get("salary_at_least"),
        page=data["page"],
    )


class ProviderSearchParams(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    capability = serializers.ListField(child=serializers.CharField(max_length=120), required=False)
    standard = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    zone = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    tier = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    city = serializers.ListField(child=serializers.CharField(max_length=100), required=False)
    kind = serializers.ListField(child=serializers.CharField(max_length=20), required=False)
    verified = serializers.BooleanField(required=False, default=False)
    page = serializers.IntegerField(min_value=1, max_value=500, required=False, default=1)


class ProviderHit(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    title_en = serializers.CharField(allow_blank=True)
    title_zh = serializers.CharField(allow_blank=True)
    url = serializers.CharField()
    kind = serializers.CharField(allow_null=True)
    zone = serializers.CharField(allow_null=True)
    city = serializers.CharField(allow_blank=True)
    is_verified = serializers.BooleanField()
    standards = serializers.ListField(child=serializers.CharField())
    capabilities = serializers.ListField(child=serializers.CharField())


class ProviderSearchResult(SearchAnswer):
    results = ProviderHit(many=True)


@extend_schema_view(
    get=extend_schema(
        parameters=[ProviderSearchParams], responses={200: ProviderSearchResult, 400: None}
    )
)
class ProviderSearchView(SearchView):
    """Search providers by name, summary or what their listings cover; verified ones first."""

    params_class = ProviderSearchParams
    list_fields = PROVIDER_FILTERS

    def build_query(self, data: dict) -> ProviderQuery:
        return ProviderQuery(
            text=data["q"],
            filters={name: data[name] for name in PROVIDER_FILTERS if data.get(name)},
            verified_only=data["verified"],
            page=data["page"],
        )

    def search(self, query: ProviderQuery) -> dict:
        return search_providers(query)

    def search_database(self, query: ProviderQuery) -> dict:
        return search_providers_from_database(query)


class SuggestParams(serializers.Serializer):
    q = serializers.CharField(max_length=100, help_text="what the buyer has typed so far")


class SuggestedCapability(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    url = serializers.CharField(help_text="the search page filtered on this capability")


class SuggestedListing(serializers.Serializer):
    title = serializers.CharField()
    provider = serializers.CharField()
    url = serializers.CharField()


class Suggestions(serializers.Serializer):
    capabilities = SuggestedCapability(many=True)
    listings = SuggestedListing(many=True)
    degraded = serializers.BooleanField(help_text="listings could not be suggested just now")


@extend_schema_view(
    get=extend_schema(parameters=[SuggestParams], responses={200: Suggestions, 400: None})
)
class SuggestView(APIView):
    """Suggestions as the buyer types: matching capabilities, then matching listings."""

    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        params = SuggestParams(data=request.query_params)
        if not params.is_valid():
            return Response(params.errors, status=400)
        text = params.validated_data["q"]
        chinese = reads_chinese()
        search_url = reverse("search")
        capabilities = [
            {
                "code": node.code,
                "label": node.label_zh if chinese else node.label_en,
                "url": f"{search_url}?{urlencode({'capability': node.code})}",
            }
            for node in capabilities_matching(text=text)
        ]
        try:
            listings, degraded = suggest_listings(text), False
        except (TransportError, ApiError, NotFoundError):
            logger.warning("Elasticsearch unavailable; suggesting capabilities only")
            listings, degraded = [], True
        return Response({"capabilities": capabilities, "listings": listings, "degraded": degraded})
