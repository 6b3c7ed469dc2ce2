import pytest

pytestmark = pytest.mark.django_db


def test_the_search_page_shows_results_facets_and_highlights(client, services_index):
    response = client.get("/search/", {"q": "ADC conjugation"})

    assert response.status_code == 200
    html = response.text
    assert (
        "ADC conjugation and linker-payload synthesis"
        in response.context["result"]["results"][0]["title"]
    )
    assert "<mark>ADC</mark>" in html
    assert "China (Jiangsu) Pilot Free Trade Zone" in html  # zone facet, with its name
    assert "CNY " in html


def test_facets_show_names_not_codes(client, services_index):
    response = client.get("/search/", headers={"accept-language": "en"})

    labels = {
        facet["name"]: {bucket["value"]: bucket["label"] for bucket in facet["buckets"]}
        for facet in response.context["facets"]
    }
    assert labels["standard"]["OECD_GLP"] == "OECD GLP"
    assert labels["delivery"]["onsite"] == "At the provider's site"
    assert labels["capability"]["dmpk.in_vitro_adme"] == "In vitro ADME"


def test_a_facet_link_filters_and_keeps_the_query(client, services_index):
    response = client.get("/search/", {"q": "toxicology", "zone": "beijing_ftz"})

    results = response.context["result"]["results"]
    assert results
    assert all(hit["zone"] == "beijing_ftz" for hit in results)
    assert 'value="toxicology"' in response.text


def test_the_search_page_refuses_bad_parameters_with_400(client):
    response = client.get("/search/", {"price_max": "cheap"})

    assert response.status_code == 400
    assert "not understood" in response.text


def test_the_search_page_says_so_when_it_answers_from_the_database(
    client, elasticsearch_unreachable
):
    response = client.get("/search/", {"q": "toxicology"}, headers={"accept-language": "en"})

    assert response.status_code == 200
    assert "Basic search" in response.text
    assert response.context["result"]["count"] > 0


def test_highlighted_text_is_escaped_except_for_the_marks(client, services_index):
    response = client.get("/search/", {"q": "compound formulation"})

    assert "R&amp;D" in response.text
    assert "<mark>formulation</mark>" in response.text.lower()


def test_results_are_titled_in_the_readers_language(client, services_index):
    english = client.get("/search/", {"q": "ADC conjugation"}, headers={"accept-language": "en"})
    hit = english.context["result"]["results"][0]
    assert hit["title_en"] and hit["title_zh"]  # the demo listing has both titles

    chinese = client.get("/search/", {"q": "ADC conjugation"}, headers={"accept-language": "zh-CN"})

    first_card = chinese.text.split('<li class="card">')[1]
    assert hit["title_zh"] in first_card.replace("<mark>", "").replace("</mark>", "")
    assert hit["title_en"] not in first_card


def test_every_result_has_a_title_and_marked_words_are_the_only_markup(client, services_index):
    for language in ("en", "zh-CN"):
        response = client.get(
            "/search/", {"q": "ADC conjugation <b>"}, headers={"accept-language": language}
        )

        titles = [
            card.split("</a></h3>")[0].split('">', 1)[1]
            for card in response.text.split('<li class="card">')[1:]
        ]
        assert titles and all(title.strip() and title != "None" for title in titles)
        assert "<b>" not in response.text.split('class="result-list"')[1]
