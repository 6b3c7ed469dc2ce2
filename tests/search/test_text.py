"""The database engine's text analysis: the same terms for the same words, in either database."""

import pytest

from search.entries import _terms_of
from search.indexing import SERVICES
from search.spelling import corrected, corrections
from search.text import highlighted, query_clauses, terms


def test_english_is_lowercased_stemmed_and_stripped_of_stop_words_and_possessives():
    assert terms("The Studies of Rats' kidneys") == terms("study rat kidney")
    assert terms("the of and") == []
    assert terms("Provider's ADME") == terms("provider adme")


def test_chinese_is_split_into_overlapping_bigrams_and_full_width_is_folded():
    assert len(terms("毒理学")) == 2  # 毒理, 理学
    assert terms("毒理学")[1] == terms("理学")[0]
    assert len(terms("毒")) == 1
    assert terms("ＡＤＣ") == terms("adc")
    assert all(term.isascii() and term.isalnum() for term in terms("GLP毒理学 in vitro ADME"))


@pytest.mark.django_db
def test_a_capability_name_in_a_query_becomes_one_clause_with_its_synonyms_in_both_languages():
    (clause,) = query_clauses("ADC")

    assert tuple(terms("抗体偶联药物")) in clause.alternatives
    assert tuple(terms("antibody-drug conjugate")) in clause.alternatives
    assert [len(c.alternatives) for c in query_clauses("kidney")] == [1]


@pytest.mark.django_db
def test_a_misspelt_word_is_corrected_from_the_words_of_the_listings(search_entries):
    found = corrections("GLP Rodent toxicolgy pharmacokinetcs")

    assert found == {"toxicolgy": "toxicology", "pharmacokinetcs": "pharmacokinetics"}
    assert corrected("GLP Rodent toxicolgy pharmacokinetcs", found) == (
        "GLP Rodent toxicology pharmacokinetics"
    )
    assert corrections("ADX assay") == {}  # short words are never corrected


def test_highlights_mark_the_words_whose_terms_were_searched_and_escape_the_rest():
    marked = highlighted("<b>GLP</b> rodent studies", set(terms("study")))

    assert marked == "&lt;b&gt;GLP&lt;/b&gt; rodent <mark>studies</mark>"
    assert highlighted("药物化学FTE团队", set(terms("化学"))) == "药物<mark>化学</mark>FTE团队"
    assert highlighted("nothing here", set(terms("adme"))) is None


def test_a_text_that_fits_is_shown_whole_and_a_long_one_is_cut_between_words():
    title = "In vitro ADME screening panel with Caco-2 and MDCK permeability, batch 4c8328"
    assert highlighted(title, set(terms("MDCK"))) == title.replace("MDCK", "<mark>MDCK</mark>")

    long = " ".join(["filler words here"] * 20) + " the MDCK assay " + "more words " * 20
    fragment = highlighted(long, set(terms("MDCK")))
    shown = fragment.replace("<mark>", "").replace("</mark>", "")
    start = long.index(shown)
    assert "<mark>MDCK</mark>" in fragment and len(shown) <= 160
    assert start > 0 and long[start - 1] == " " and long[start + len(shown)] == " "


def test_words_the_stemmer_empties_and_signs_make_no_terms():
    assert terms("Type S") == terms("type") and terms("s") == []
    assert terms("a × b ÷ c") == terms("a b c")
    assert terms("protéine") == terms("proteine")


def test_a_match_late_in_text_without_spaces_is_still_shown():
    text = "A " + "毒" * 300 + " 毒理"
    assert "<mark>毒理</mark>" in highlighted(text, set(terms("毒理")))


def test_highlights_keep_the_text_as_written_when_normalising_changes_its_length():
    marked = highlighted("Acme™ GLP Toxicology Study (½ day)", set(terms("toxicology")))

    assert marked == "Acme™ GLP <mark>Toxicology</mark> Study (½ day)"


@pytest.mark.django_db
def test_a_correction_keeps_the_rest_of_the_query_as_typed(search_entries):
    assert corrected("™ toxicolgy", corrections("™ toxicolgy")) == "™ toxicology"


def test_the_words_a_listing_is_found_by_are_all_in_the_spelling_vocabulary():
    document = {
        "title_en": "Rodent toxicology",
        "broader_labels_en": ["General toxicology"],
        "context_labels_en": ["Cynomolgus", "FDA inspected"],
        "provider": {"title_en": "Kanghe"},
    }

    assert {"cynomolgus", "inspected", "general", "kanghe"} <= _terms_of(SERVICES, [document])


def test_words_are_stemmed_right_by_many_threads_at_once():
    """gunicorn's threads stem at once: a stemmer shared between them mixed their words up (an
    IndexError under load, or another word's stem)."""
    import threading

    import snowballstemmer

    from search import text

    roots = ("toxic", "metabol", "conjug", "pharmac", "analys")
    suffixes = ("ational", "ization", "fulness", "iveness", "icities", "ements")
    words = [f"{root}{suffix}" for root in roots for suffix in suffixes]
    batches = [[f"{word}{'x' * n}" for word in words] for n in range(8)]
    reference = snowballstemmer.stemmer("porter")
    # Each word 200 times, past the cache (``__wrapped__``): every stem is checked.
    expected = [[reference.stemWord(word) for word in batch] * 200 for batch in batches]
    results, errors = [None] * len(batches), []

    def stem_all(number: int) -> None:
        try:
            results[number] = [text.stem.__wrapped__(word) for word in batches[number] * 200]
        except Exception as error:  # noqa: BLE001 - what a shared stemmer raised
            errors.append(error)

    threads = [threading.Thread(target=stem_all, args=(n,)) for n in range(len(batches))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == [] and results == expected
