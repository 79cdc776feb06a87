from glossary.diffs import word_diff
from glossary.selectors import terms as selectors
from glossary.services.terms import term_save


def test_creating_a_term_records_one_version_with_user_and_reason(make_term, ada):
    term = make_term("Lead", it_text="A row in the CRM.", marketing_text="Someone who showed interest.")
    records = list(term.history.all())
    assert len(records) == 1
    assert records[0].history_user == ada
    assert records[0].history_change_reason == "Test term"


def test_a_version_holds_the_definitions_saved_with_it(make_term, ada, it, marketing):
    term = make_term("Lead", it_text="A row in the CRM.", marketing_text="Someone who showed interest.")
    term_save(term=term, user=ada, reason="Sharpen IT wording", definitions={it: "A CRM record with a status."})
    newest, first = selectors.term_versions(term)
    assert newest.reason == "Sharpen IT wording"
    assert newest.entry.definitions == {
        it.pk: "A CRM record with a status.",
        marketing.pk: "Someone who showed interest.",
    }
    assert first.entry.definitions == {it.pk: "A row in the CRM.", marketing.pk: "Someone who showed interest."}


def test_each_change_is_exactly_one_version(make_term, ada, it, marketing):
    term = make_term("Pilot", it_text="Limited rollout.", tags=["Delivery"])
    other = make_term("Release")
    term_save(
        term=term,
        user=ada,
        reason="Everything at once",
        fields={"summary": "A trial before a full launch."},
        definitions={it: "A limited production rollout.", marketing: "A test campaign in one region."},
        tags=[],
        related_terms=[other],
    )
    assert term.history.count() == 2
    newest = selectors.term_versions(term)[0]
    assert newest.entry.summary == "A trial before a full launch."
    assert newest.entry.tags == ()
    assert newest.entry.related_terms == {other.pk: "Release"}


def test_removing_a_definition_shows_in_the_next_version(make_term, ada, marketing):
    term = make_term("Firewall", it_text="Network filter.", marketing_text="Our protection.")
    term_save(term=term, user=ada, reason="Marketing withdraws", definitions={marketing: ""})
    assert not term.definitions.filter(department=marketing).exists()
    newest, first = selectors.term_versions(term)
    assert marketing.pk in first.entry.definitions
    assert marketing.pk not in newest.entry.definitions


def test_linking_a_related_term_records_a_version_of_both(make_term, ada):
    api = make_term("API")
    integration = make_term("Integration")
    term_save(term=api, user=ada, reason="Link", related_terms=[integration])
    assert list(integration.related_terms.all()) == [api]
    newest = selectors.term_versions(integration)[0]
    assert newest.entry.related_terms == {api.pk: "API"}
    assert "API" in newest.reason


def test_history_keeps_user_even_when_reason_differs(make_term, make_user, marketing):
    maya = make_user("maya", department=marketing)
    term = make_term("Conversion", it_text="A data type change.")
    term_save(term=term, user=maya, reason="Add Marketing view", definitions={marketing: "A visitor who buys."})
    newest = term.history.first()
    assert newest.history_user == maya
    assert newest.history_change_reason == "Add Marketing view"


def test_word_diff_marks_inserted_and_deleted_words():
    html = word_diff("a fast page load", "a slow page load time")
    assert html == "a <del>fast</del><ins>slow</ins> page load<ins> time</ins>"


def test_word_diff_escapes_markup():
    html = word_diff("", "<script>alert(1)</script>")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
