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

from marketplace.catalog.selectors import capabilities_matching
from marketplace.language import reads_chinese
from search.params import JobSearchParams, ProviderSearchParams, SearchParams, ServiceSearchParams
from search.queries import suggest_listings
from search.selectors import search_results

logger = logging.getLogger(__name__)


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


class SearchView(APIView):
    """Parse the parameters (``params``, a ``search.params.SearchParams``), answer from the one
    read path per kind (``search.selectors.search_results``: Elasticsearch, else the database).

    A kind's view names its parameters and its ``hit``; its schema follows from them: the
    parameters, and ``<Kind>SearchResult`` (the envelope with the hits) or a 400."""

    permission_classes = [AllowAny]
    params: type[SearchParams]
    hit: type[serializers.Serializer]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        result = type(
            cls.hit.__name__.removesuffix("Hit") + "SearchResult",
            (SearchAnswer,),
            {"results": cls.hit(many=True), "__module__": __name__},
        )
        extend_schema_view(
            get=extend_schema(parameters=[cls.params], responses={200: result, 400: None})
        )(cls)

    def get(self, request: Request) -> Response:
        query, errors = self.params.parse(request.query_params)
        if query is None:
            return Response(errors, status=400)
        return Response(search_results(query=query))


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


class ServiceSearchView(SearchView):
    """Search service listings (CRO and TCM) by capability, in English or Chinese."""

    params, hit = ServiceSearchParams, ServiceHit


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


class JobSearchView(SearchView):
    """Search open job postings: graduate and intern roles first."""

    params, hit = JobSearchParams, JobHit


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


class ProviderSearchView(SearchView):
    """Search providers by name, summary or what their listings cover; verified ones first."""

    params, hit = ProviderSearchParams, ProviderHit
