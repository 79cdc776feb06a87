import pytest
from django.core.exceptions import ValidationError

from glossary.models import Term
from glossary.services.terms import term_save


def test_slug_comes_from_the_name(make_term):
    assert make_term("Customer journey").slug == "customer-journey"


def test_slug_stays_when_the_term_is_renamed(make_term, ada):
    term = make_term("Shadow IT")
    term_save(term=term, user=ada, reason="Rename", fields={"name": "Shadow IT (unsanctioned tools)"})
    term.refresh_from_db()
    assert term.slug == "shadow-it"
    assert term.name == "Shadow IT (unsanctioned tools)"


def test_slugs_are_unique_when_names_slugify_alike(make_term):
    first = make_term("Real-time")
    second = make_term("Real time!")
    assert first.slug == "real-time"
    assert second.slug == "real-time-2"


def test_non_latin_name_still_gets_a_slug(make_term):
    assert make_term("日本語").slug == "term"


def test_name_is_trimmed_and_whitespace_collapsed(make_term):
    assert make_term("  Organic    search ").name == "Organic search"


@pytest.mark.parametrize(
    "twin",
    [" platform ", "PLATFORM", "Plat\u00adform", "\uff30latform", "Platform\u200b"],
    ids=["spaces", "case", "soft-hyphen", "fullwidth", "zero-width-space"],
)
def test_name_unique_ignoring_case_space_and_unicode_form(make_term, twin):
    make_term("Platform")
    with pytest.raises(ValidationError) as error:
        make_term(twin)
    assert "already in the glossary" in error.value.message_dict["name"][0]
    assert Term.objects.count() == 1


def test_empty_name_is_refused(make_term):
    with pytest.raises(ValidationError) as error:
        make_term("   ")
    assert "name" in error.value.message_dict
    assert not Term.objects.exists()


def test_initial_groups_non_letters_under_hash(make_term):
    assert make_term("API").initial == "A"
    assert make_term("5G").initial == "#"
    assert make_term("Échéance").initial == "E"


def test_synonyms_are_normalised_one_per_line(make_term):
    term = make_term("Personalization", synonyms="personalisation, Personalisation\n 1:1 marketing ")
    assert term.synonym_list == ["personalisation", "1:1 marketing"]
