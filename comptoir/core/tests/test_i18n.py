"""core/i18n.py: the one place that chooses between an English and a French label."""

from types import SimpleNamespace

from django.utils import translation

from comptoir.core import i18n
from comptoir.core.objects.registry import get_object_type


def test_a_french_reader_gets_the_french_label_and_the_english_one_when_there_is_none():
    stage = SimpleNamespace(label="Closed won", label_fr="Gagné")
    bare = SimpleNamespace(label="Custom", label_fr="")
    option = {"label": "Yes", "label_fr": "Oui", "value": "true"}
    with translation.override("fr"):
        assert i18n.is_french() and not i18n.is_english()
        assert i18n.localised_label(stage) == "Gagné"
        assert i18n.localised_label(bare) == "Custom"
        assert i18n.localised_label(option) == "Oui"
        assert i18n.localised_label({"label": "No"}) == "No"
        assert i18n.babel_locale() == "fr_FR"
    with translation.override("en"):
        assert i18n.is_english() and not i18n.is_french()
        assert i18n.localised_label(stage) == "Closed won"
        assert i18n.localised_label(option) == "Yes"
        assert i18n.babel_locale() == "en_US"


def test_a_choice_made_by_the_caller_wins_over_the_active_language():
    group = SimpleNamespace(label="Contact information", label_fr="Coordonnées")
    with translation.override("en"):
        assert i18n.localised_label(group, french=True) == "Coordonnées"
    with translation.override("fr"):
        assert i18n.localised_label(group, french=False) == "Contact information"
    assert i18n.wants_french(" FR-fr") and not i18n.wants_french(None)


def test_a_rename_edits_the_label_the_reader_sees():
    named = SimpleNamespace(label="Email", label_fr="E-mail")
    bare = SimpleNamespace(label="Custom", label_fr="")
    with translation.override("fr"):
        assert i18n.label_field(named) == "label_fr"
        assert i18n.label_field(bare) == "label"
        assert i18n.label_field({"label": "Yes", "label_fr": "Oui"}) == "label_fr"
    with translation.override("en"):
        assert i18n.label_field(named) == "label"


def test_type_labels_plural_and_singular_by_name_or_type():
    companies = get_object_type("companies")
    with translation.override("fr"):
        assert i18n.type_label(companies) == "Entreprises"
        assert i18n.type_label("companies", plural=False) == "Entreprise"
        assert i18n.other_language() == ("en", "English")
    with translation.override("en"):
        assert i18n.type_label("companies") == "Companies"
        assert i18n.type_label(companies, plural=False) == "Company"
        assert i18n.other_language() == ("fr", "Français")
