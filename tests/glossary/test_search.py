import pytest

from glossary.models import Term
from glossary.selectors.terms import term_search
from tests.databases import postgres_only, sqlite_only


def names(query):
    return [t.name for t in term_search(Term.objects.all(), query)]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("Omnichannel", "Omnichannel"),
        ("omni channel", "Omnichannel"),
        ("omni-channel", "Omnichannel"),
        ("KPI", "Key performance indicator"),
        ("success metric", "Key performance indicator"),
        ("cross-channel", "Omnichannel"),
        ("unpaid", "Organic search"),
        ("touchpoint", "Omnichannel"),
        ("network traffic", "Firewall"),
    ],
)
def test_search_finds_by_name_abbreviation_synonym_and_definition(glossary_to_search, query, expected):
    assert names(query)[0] == expected


def test_search_with_no_match_is_empty(glossary_to_search):
    assert names("quantum blockchain") == []


def test_blank_search_returns_everything(glossary_to_search):
    assert len(names("   ")) == 4


def test_definition_words_need_all_words(glossary_to_search):
    assert names("network campaign") == []


@postgres_only
@pytest.mark.parametrize(
    "typo, expected",
    [("omnichanel", "Omnichannel"), ("firewal", "Firewall"), ("sucess metric", "Key performance indicator")],
)
def test_postgres_finds_typos_by_trigram_similarity(glossary_to_search, typo, expected):
    assert expected in names(typo)


@postgres_only
def test_postgres_ranks_name_matches_above_definition_mentions(glossary_to_search, make_term):
    make_term("Customer journey", marketing_text="Every step, across omnichannel touchpoints.")
    assert names("omnichannel")[0] == "Omnichannel"
    assert "Customer journey" in names("omnichannel")


@postgres_only
def test_postgres_search_uses_the_indexes(glossary_to_search):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'glossary_term'")
        indexes = {row[0] for row in cursor.fetchall()}
        cursor.execute("SET enable_seqscan = off")
        plan = term_search(Term.objects.all(), "omnichannel").explain()
        cursor.execute("RESET enable_seqscan")
    assert {"glossary_term_search_vector", "glossary_term_name_trgm", "glossary_term_synonyms_trgm"} <= indexes
    assert "glossary_term_search_vector" in plan
    assert "glossary_term_name_trgm" in plan


@sqlite_only
def test_sqlite_fallback_finds_close_misspellings_of_names(glossary_to_search):
    assert names("omnichanel") == ["Omnichannel"]
    assert names("firewal") == ["Firewall"]
