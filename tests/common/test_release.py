"""After a deploy no app server serves page parts or PDFs rendered by the previous release."""

from django.conf import settings

from common.release import release_fingerprint


def test_a_changed_template_stylesheet_module_or_pdf_layout_gives_the_cache_new_keys(tmp_path):
    (tmp_path / "templates" / "glossary").mkdir(parents=True)
    (tmp_path / "glossary").mkdir()
    (tmp_path / "static" / "css").mkdir(parents=True)
    template = tmp_path / "templates" / "glossary" / "_term_card.html"
    template.write_text("<li>{{ term.name }}</li>")
    module = tmp_path / "glossary" / "rendering.py"
    module.write_text("LIMIT = 160\n")
    stylesheet = tmp_path / "static" / "css" / "pdf.css"
    stylesheet.write_text("body { font-size: 10pt }")
    (tmp_path / "glossary" / "exports").mkdir()
    layout = tmp_path / "glossary" / "exports" / "glossary.typ"
    layout.write_text("#set text(size: 9.5pt)")
    (tmp_path / "README.md").write_text("Notes")

    first = release_fingerprint(tmp_path)
    (tmp_path / "README.md").write_text("Other notes")
    assert release_fingerprint(tmp_path) == first, "documentation does not change how pages look"
    seen = {first}
    changes = [
        (template, "<li class=x>{{ term.name }}</li>"),
        (module, "LIMIT = 120\n"),
        (stylesheet, "body {}"),
        (layout, "#set text(size: 10pt)"),
    ]
    for path, text in changes:
        path.write_text(text)
        seen.add(release_fingerprint(tmp_path))
    assert len(seen) == 5


def test_the_cache_keys_carry_this_release():
    assert settings.CACHES["default"]["KEY_PREFIX"] == release_fingerprint(settings.BASE_DIR)
