"""Index analysis: bilingual analyzers and the capability synonym set built from the taxonomy.

English text is stemmed (possessives, stop words, Porter); Chinese text is split into overlapping
bigrams. Search-time analyzers add one synonym set made of every capability's English and Chinese
labels and synonyms, so "ADC", "antibody-drug conjugate" and "抗体偶联药物" meet. The filters come
from Elasticsearch's analysis-common module or, on the local node, our plugin (search/es-plugin),
under the same names.
"""

import hashlib

from marketplace.catalog.models import TaxonomyKind, TaxonomyNode

# Characters that would break a Solr-format synonym rule.
_RULE_BREAKERS = str.maketrans({",": " ", "=": " ", ">": " ", "#": " ", "\\": " "})


def synonym_rules() -> list[str]:
    """One rule per capability: its labels and synonyms in both languages, as equivalents."""
    rules = []
    for node in TaxonomyNode.objects.filter(kind=TaxonomyKind.CAPABILITY).order_by("position"):
        terms = [node.label_en, node.label_zh, *node.synonyms]
        cleaned = []
        for term in terms:
            term = " ".join(term.translate(_RULE_BREAKERS).split())
            if term and term.lower() not in {existing.lower() for existing in cleaned}:
                cleaned.append(term)
        if len(cleaned) > 1:
            rules.append(", ".join(cleaned))
    return rules


def synonyms_fingerprint(rules: list[str] | None = None) -> str:
    """A short digest of the synonym set: an index built with another one is stale."""
    rules = synonym_rules() if rules is None else rules
    return hashlib.sha256("\n".join(rules).encode()).hexdigest()[:16]


def analysis_settings(rules: list[str] | None = None) -> dict:
    """The ``analysis`` block shared by every index, with the synonym set as it is now."""
    english = ["cjk_width", "lowercase", "english_possessive", "stop", "porter_stem"]
    return {
        "filter": {
            "capability_synonyms": {
                "type": "synonym_graph",
                "synonyms": synonym_rules() if rules is None else rules,
                "lenient": True,
            },
            "prefixes": {"type": "edge_ngram", "min_gram": 1, "max_gram": 20},
        },
        "analyzer": {
            "text_en": {"type": "custom", "tokenizer": "standard", "filter": english},
            "text_en_search": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": [
                    "cjk_width",
                    "lowercase",
                    "cjk_bigram",
                    "capability_synonyms",
                    *english[2:],
                ],
            },
            "text_zh": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["cjk_width", "lowercase", "cjk_bigram"],
            },
            "text_zh_search": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["cjk_width", "lowercase", "cjk_bigram", "capability_synonyms"],
            },
            "prefix_index": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["cjk_width", "lowercase", "ascii_folding", "prefixes"],
            },
            "prefix_search": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["cjk_width", "lowercase", "ascii_folding"],
            },
        },
    }
