"""Search documents. One per live service listing (CRO and TCM), with its provider denormalised.

Prices are kept exact: ``price_from_fen`` (an integer number of fen) for ranges and sorting, and
``price_from`` (the Decimal as text) for display; never a float.
"""

from elasticsearch.dsl import Boolean, Date, Document, Integer, Keyword, Long, Object, Text


def english_text(**kwargs) -> Text:
    return Text(analyzer="text_en", search_analyzer="text_en_search", **kwargs)


def chinese_text(**kwargs) -> Text:
    return Text(analyzer="text_zh", search_analyzer="text_zh_search", **kwargs)


class ServiceDocument(Document):
    """A live service listing as buyers search it."""

    external_id = Keyword()
    kind = Keyword()  # service | tcm
    url = Keyword(index=False)
    title_en = english_text(
        fields={"prefix": Text(analyzer="prefix_index", search_analyzer="prefix_search")},
        copy_to="spelling",
    )
    title_zh = chinese_text(
        fields={"prefix": Text(analyzer="prefix_index", search_analyzer="prefix_search")}
    )
    description_en = english_text(copy_to="spelling")
    description_zh = chinese_text()
    # The listing's capabilities in words, so a query in either language finds a listing written
    # only in the other one; ``capability_prefix`` serves suggestions as the buyer types.
    capability_labels_en = english_text(copy_to=["spelling", "capability_prefix"])
    capability_labels_zh = chinese_text(copy_to="capability_prefix")
    broader_labels_en = english_text()
    broader_labels_zh = chinese_text()
    context_labels_en = english_text()
    context_labels_zh = chinese_text()
    capability_prefix = Text(analyzer="prefix_index", search_analyzer="prefix_search")
    # The English words of the listing as written (not stemmed): "did you mean" draws on them.
    spelling = Text(analyzer="spelling")
    # Codes with all their ancestors: a filter on "safety" matches "safety.general_toxicology".
    capability_codes = Keyword()
    therapeutic_area_codes = Keyword()
    modality_codes = Keyword()
    species_codes = Keyword()
    standards = Keyword()  # the listing's own standards and the provider's valid certifications
    delivery = Keyword()
    price_from = Keyword(index=False)
    price_from_fen = Long()
    turnaround_days = Integer()
    # The later of the listing's and its provider's last publication: the drift sweep compares it.
    published_at = Date()
    provider = Object(
        properties={
            "id": Integer(),
            "title_en": english_text(),
            "title_zh": chinese_text(),
            "url": Keyword(index=False),
            "zone": Keyword(),
            "tier": Keyword(),
            "city": Keyword(),
            "is_verified": Boolean(),
            "has_valid_certification": Boolean(),
        }
    )

    class Index:
        name = "services"  # replaced by the versioned index name when built (search/indexing.py)


class JobDocument(Document):
    """A live job posting; closed ones stay indexed and are filtered out when searching."""

    external_id = Keyword()
    url = Keyword(index=False)
    title_en = english_text()
    title_zh = chinese_text()
    description_en = english_text()
    description_zh = chinese_text()
    discipline_labels_en = english_text()
    discipline_labels_zh = chinese_text()
    discipline_codes = Keyword()
    # City, level and degree in words, so "graduate bioanalysis Suzhou" matches on all three.
    facts = english_text()
    facts_zh = chinese_text()  # the same in Chinese: "应届 生物分析 苏州"
    city = Keyword()
    level = Keyword()
    degree = Keyword()
    languages = Keyword()
    work_permit_sponsorship = Keyword()
    salary_min = Keyword(index=False)
    salary_max = Keyword(index=False)
    salary_min_fen = Long()
    salary_max_fen = Long()
    closes_on = Date()
    published_at = Date()
    provider = Object(
        properties={
            "id": Integer(),
            "title_en": english_text(),
            "title_zh": chinese_text(),
            "url": Keyword(index=False),
            "zone": Keyword(),
            "is_verified": Boolean(),
        }
    )

    class Index:
        name = "jobs"


class ProviderDocument(Document):
    """A live provider, with the capabilities of its live listings."""

    kind = Keyword()
    url = Keyword(index=False)
    title_en = english_text()
    title_zh = chinese_text()
    summary_en = english_text()
    summary_zh = chinese_text()
    capability_labels_en = english_text()
    capability_labels_zh = chinese_text()
    capability_codes = Keyword()
    standards = Keyword()  # valid certifications
    zone = Keyword()
    tier = Keyword()
    city = Keyword()
    is_verified = Boolean()
    published_at = Date()

    class Index:
        name = "providers"
