"""Search documents. One per live service listing (CRO and TCM), with its provider denormalised.

Prices are kept exact: ``price_from_fen`` (an integer number of fen) for ranges and sorting, and
``price_from`` (the Decimal as text) for display; never a float.
"""

from elasticsearch.dsl import (
    Boolean,
    Date,
    Document,
    Float,
    Integer,
    Keyword,
    Long,
    Object,
    Text,
)


def english_text(**kwargs) -> Text:
    return Text(analyzer="text_en", search_analyzer="text_en_search", **kwargs)


def chinese_text(**kwargs) -> Text:
    return Text(analyzer="text_zh", search_analyzer="text_zh_search", **kwargs)


def plain_fields(*, keywords: tuple[str, ...] = (), texts: tuple[str, ...] = ()):
    """Declares a document's plain fields by kind: each of ``keywords`` holds exact values
    (filtered and counted), each of ``texts`` is searched in both languages (``<name>_en`` with
    English analysis, ``<name>_zh`` with Chinese)."""

    def declare(document_class):
        mapping = document_class._doc_type.mapping
        for name in texts:
            mapping.field(f"{name}_en", english_text())
            mapping.field(f"{name}_zh", chinese_text())
        for name in keywords:
            mapping.field(name, Keyword())
        return document_class

    return declare


def track_record_fields() -> dict:
    """The provider's track record as results show it (marketplace.trust): each share or median
    null where too little history stands behind it."""
    return {
        "contracts_completed": Integer(),
        "median_response_hours": Float(),
        "quoted_percent": Integer(),
        "on_time_percent": Integer(),
        "repeat_buyer_percent": Integer(),
    }


def provider_object(**more) -> Object:
    """The provider denormalised into its listing's or posting's document, with ``more``."""
    return Object(
        properties={
            "id": Integer(),
            "title_en": english_text(),
            "title_zh": chinese_text(),
            "url": Keyword(index=False),
            "zone": Keyword(),
            **more,
        }
    )


class SearchDocument(Document):
    """What every searched page holds: its address, its title in both languages, and when it was
    last published (with what it denormalises: a listing's provider, a provider's listings; the
    drift sweep compares it)."""

    url = Keyword(index=False)
    title_en = english_text()
    title_zh = chinese_text()
    published_at = Date()


@plain_fields(
    keywords=(
        "external_id",
        "kind",  # service | tcm
        # Codes with all their ancestors: a filter on "safety" matches "safety.general_toxicology".
        "capability_codes",
        "therapeutic_area_codes",
        "modality_codes",
        "species_codes",
        "standards",  # the listing's own standards and the provider's valid certifications
        "delivery",
    ),
    texts=("broader_labels", "context_labels"),
)
class ServiceDocument(SearchDocument):
    """A live service listing as buyers search it."""

    title_en = english_text(
        fields={"prefix": Text(analyzer="prefix_index", search_analyzer="prefix_search")},
    )
    title_zh = chinese_text(
        fields={"prefix": Text(analyzer="prefix_index", search_analyzer="prefix_search")}
    )
    description_en = english_text()
    description_zh = chinese_text()
    # The listing's capabilities in words, so a query in either language finds a listing written
    # only in the other one; ``capability_prefix`` serves suggestions as the buyer types.
    capability_labels_en = english_text(copy_to="capability_prefix")
    capability_labels_zh = chinese_text(copy_to="capability_prefix")
    capability_prefix = Text(analyzer="prefix_index", search_analyzer="prefix_search")
    price_from = Keyword(index=False)
    price_from_fen = Long()
    turnaround_days = Integer()
    provider = provider_object(
        tier=Keyword(),
        city=Keyword(),
        is_verified=Boolean(),
        has_valid_certification=Boolean(),
        # Verified reviews (marketplace.trust): sorted and filtered on.
        rating_average=Float(),
        rating_count=Integer(),
        # Named on a company-of-concern list (marketplace.trust): buyers may leave it out.
        concern_flagged=Boolean(),
        **track_record_fields(),
    )

    class Index:
        name = "services"  # replaced by the versioned index name when built (search/indexing.py)


@plain_fields(
    keywords=(
        "external_id",
        "discipline_codes",
        "city",
        "level",
        "degree",
        "languages",
        "work_permit_sponsorship",
    ),
    texts=("description", "discipline_labels"),
)
class JobDocument(SearchDocument):
    """A live job posting; closed ones stay indexed and are filtered out when searching."""

    # City, level and degree in words, so "graduate bioanalysis Suzhou" matches on all three.
    facts = english_text()
    facts_zh = chinese_text()  # the same in Chinese: "应届 生物分析 苏州"
    salary_min = Keyword(index=False)
    salary_max = Keyword(index=False)
    salary_min_fen = Long()
    salary_max_fen = Long()
    closes_on = Date()
    provider = provider_object(is_verified=Boolean())

    class Index:
        name = "jobs"


@plain_fields(
    keywords=("kind", "capability_codes", "standards", "zone", "tier", "city"),
    texts=("summary", "capability_labels"),
)
class ProviderDocument(SearchDocument):
    """A live provider, with the capabilities of its live listings (``standards``: its valid
    certifications)."""

    is_verified = Boolean()
    rating_average = Float()
    rating_count = Integer()
    concern_flagged = Boolean()
    # Its track record (marketplace.trust): each share or median null with too little history.
    contracts_completed = Integer()
    median_response_hours = Float()
    quoted_percent = Integer()
    on_time_percent = Integer()
    repeat_buyer_percent = Integer()

    class Index:
        name = "providers"
