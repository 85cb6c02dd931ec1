"""Template tokens and their rendering (TOOL-3): the syntax, fallbacks, formatting through the
property registry, escaping, and hostile input (never executed, never a crash)."""

import time
from types import SimpleNamespace

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from comptoir.core.testing.factories import make_company, make_contact, make_deal, make_user
from comptoir.emailtemplates import tokens
from comptoir.emailtemplates.rendering import html_to_text, render_template
from comptoir.emailtemplates.services import TemplateError, create_template

pytestmark = pytest.mark.django_db


def tpl(subject="", body=""):
    return SimpleNamespace(subject=subject, body=body)


@pytest.fixture
def sender():
    user = make_user("sam@example.com", first_name="Sam", last_name="Vendeur")
    user.job_title = "AE"
    user.meeting_link = "https://comptoir.example.com/meet/sam/"
    user.save(update_fields=["job_title", "meeting_link"])
    return user


@pytest.fixture
def lea(sender):
    acme = make_company(name="Acme", domain="acme.fr")
    return make_contact(
        email="lea@acme.fr",
        firstname="Léa",
        lastname="Lefèvre",
        lifecyclestage="customer",
        hubspot_owner_id=sender.owner.pk,
        associations=[("companies", acme.pk, None)],
    )


# -- the syntax ---------------------------------------------------------------------------


def test_split_reads_tokens_fallbacks_and_literal_text():
    parts = tokens.split('Hi {{ contact.firstname | default:"there" }}, {{owner.email}}!')
    assert parts[0] == "Hi "
    assert parts[1] == tokens.Token(
        '{{ contact.firstname | default:"there" }}', "contact", "firstname", "there"
    )
    assert parts[2] == ", "
    assert parts[3].name == "owner.email" and parts[3].fallback is None
    assert parts[4] == "!"
    single = tokens.split("{{ deal.amount|default:'0 €' }}")[0]
    assert single.fallback == "0 €"
    empty = tokens.split('{{ contact.firstname | default:"" }}')[0]
    assert empty.fallback == ""


@pytest.mark.parametrize(
    "text, message",
    [
        ("Hi {{ contact.firstname", "an opening {{ has no closing }}"),
        ("Hi {{ {{ contact.firstname }} }}", "an opening {{ has no closing }}"),
        ("{{ contact.firstname | upper }}", "is not a token"),
        ("{{ contact.firstname | default:there }}", "is not a token"),
        ("{{ 7 * 7 }}", "is not a token"),
        ("{% if 1 %}x{% endif %}{{ }}", "is not a token"),
        ("{{ contact.__class__ }}", "has no property “__class__”"),
        ("{{ contact.nosuchproperty }}", "has no property “nosuchproperty”"),
        ("{{ user.password }}", "use contact, company, deal, owner or sender"),
        ("{{ sender.password }}", "has no property “password”"),
    ],
)
def test_problems_name_the_token(text, message):
    found = tokens.problems(text)
    assert found and message in found[0]


def test_valid_tokens_have_no_problem():
    text = (
        '{{ contact.firstname | default:"there" }} {{ company.name }} {{ deal.dealname }} '
        "{{ owner.fullname }} {{ sender.jobtitle }} }} alone is text"
    )
    assert tokens.problems(text) == []


def test_unknown_token_is_refused_when_saved_naming_it(sender):
    with pytest.raises(TemplateError) as refused:
        create_template(sender, name="Hello", subject="{{ contact.shoesize }}", body="<p>x</p>")
    assert list(refused.value.errors) == ["subject"]
    assert "{{ contact.shoesize }}" in refused.value.errors["subject"][0]
    with pytest.raises(TemplateError) as refused:
        create_template(sender, name="", body="<p>{{ contact.firstname</p>")
    assert set(refused.value.errors) == {"name", "body"}


def test_a_very_long_body_is_refused_and_a_long_one_scans_fast(sender):
    with pytest.raises(TemplateError) as refused:
        create_template(sender, name="Long", body="x" * 200_001)
    assert "200000" in refused.value.errors["body"][0]
    hostile = "{{" * 50_000 + "}}" + "{{ contact.firstname }}" * 2_000 + "{" * 40_000
    started = time.perf_counter()
    tokens.split(hostile)
    assert time.perf_counter() - started < 2  # linear: no backtracking blow-up


# -- rendering ------------------------------------------------------------------------------


def test_render_fills_contact_company_owner_and_sender(lea, sender):
    deal = make_deal(dealname="Renouvellement", amount="1200", closedate="2026-03-01")
    rendered = render_template(
        tpl(
            "Pour {{ contact.firstname }} chez {{ company.name }}",
            "<p>Bonjour {{ contact.firstname }} {{ contact.lastname }},</p>"
            "<p>{{ deal.dealname }} : {{ deal.amount }}, le {{ deal.closedate }}</p>"
            "<p>Stage {{ contact.lifecyclestage }}</p>"
            "<p>{{ owner.fullname }} / {{ sender.firstname }} ({{ sender.jobtitle }})</p>"
            "<p>{{ sender.meetinglink }}</p>",
        ),
        contact=lea,
        sender=sender,
        deal=deal,
    )
    assert rendered.subject == "Pour Léa chez Acme"
    assert "<p>Bonjour Léa Lefèvre,</p>" in rendered.html
    assert "Renouvellement : €1,200.00, le Mar 1, 2026" in rendered.html
    assert "Stage Customer" in rendered.html  # the option's label, not its value
    assert "Sam Vendeur / Sam (AE)" in rendered.html
    assert "<p>https://comptoir.example.com/meet/sam/</p>" in rendered.html
    assert rendered.missing_tokens == []
    assert rendered.text.splitlines()[0] == "Bonjour Léa Lefèvre,"


def test_values_are_formatted_in_the_readers_language(lea, sender):
    deal = make_deal(dealname="D", amount="1200", closedate="2026-03-01")
    with translation.override("fr"):
        rendered = render_template(
            tpl("", "<p>{{ contact.lifecyclestage }} {{ deal.closedate }} {{ deal.amount }}</p>"),
            contact=lea,
            sender=sender,
            deal=deal,
        )
    assert "Client" in rendered.html and "1 mars 2026" in rendered.html
    assert "1\u202f200,00\u00a0€" in rendered.text  # (nh3 writes the no-break space &nbsp;)


def test_fallbacks_and_missing_tokens(sender):
    bare = make_contact(email="x@y.fr")
    rendered = render_template(
        tpl(
            '{{ contact.firstname | default:"there" }}',
            "<p>{{ contact.firstname | default:'vous' }} {{ contact.jobtitle }} "
            '{{ company.name }} {{ contact.jobtitle }} {{ deal.dealname | default:"" }}</p>',
        ),
        contact=bare,
        sender=sender,
    )
    assert rendered.subject == "there"
    assert rendered.html == "<p>vous    </p>"
    # No value, no fallback: listed once each, in order; an empty fallback counts as one.
    assert rendered.missing_tokens == ["contact.jobtitle", "company.name"]
    assert tokens.label("contact.jobtitle") == "Contact: Job title"
    with translation.override("fr"):
        assert tokens.label("company.name") == "Entreprise\u00a0: Nom de l'entreprise"


def test_no_contact_leaves_every_record_token_missing(sender):
    rendered = render_template(
        tpl("{{ contact.email }}", "<p>{{ sender.email }}</p>"), contact=None, sender=sender
    )
    assert rendered.subject == "" and rendered.html == "<p>sam@example.com</p>"
    assert rendered.missing_tokens == ["contact.email"]


def test_html_and_script_in_values_are_escaped(sender):
    evil = make_contact(
        email="evil@x.fr",
        firstname='<script>alert(1)</script><img src=x onerror="alert(2)">',
        lastname="{{ sender.email }}",  # a token inside a value is text, not a token
        website="javascript:alert(3)",
    )
    rendered = render_template(
        tpl(
            "{{ contact.firstname }}",
            "<p>{{ contact.firstname }} {{ contact.lastname }}</p>"
            '<a href="{{ contact.website }}">site</a>',
        ),
        contact=evil,
        sender=sender,
    )
    assert "<script" not in rendered.html and "<img" not in rendered.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered.html
    assert "{{ sender.email }}" in rendered.html and "sam@example.com" not in rendered.html
    assert "javascript:" not in rendered.html  # nh3 again after filling in
    # The subject is plain text: the composer sets it as an input's value, never as HTML.
    assert rendered.subject.startswith("<script>")


def test_template_bodies_are_sanitised_and_template_code_is_never_run(sender, lea):
    saved = create_template(
        sender,
        name="Hostile",
        subject="Hi",
        body='<p onclick="x()">Hi {{ contact.firstname }}</p><script>alert(1)</script>'
        '<iframe src="https://evil"></iframe><a href="javascript:alert(1)">x</a>',
    )
    assert "<script" not in saved.body and "onclick" not in saved.body
    assert "<iframe" not in saved.body and "javascript:" not in saved.body
    # Django template syntax is plain text here: nothing is evaluated.
    rendered = render_template(
        tpl("{% now 'Y' %}", "<p>{% debug %}{{ contact.firstname }}{# c #}</p>"),
        contact=lea,
        sender=sender,
    )
    assert rendered.subject == "{% now 'Y' %}"
    assert rendered.html == "<p>{% debug %}Léa{# c #}</p>"


def test_stray_braces_stay_literal_when_rendering(lea, sender):
    rendered = render_template(
        tpl("{{ {{ contact.firstname }} }}", "<p>{{ oops }} {{ contact.firstname</p>"),
        contact=lea,
        sender=sender,
    )
    assert rendered.subject == "{{ Léa }}"
    assert rendered.html == "<p>{{ oops }} {{ contact.firstname</p>"
    assert rendered.missing_tokens == []


def test_tokens_in_links_read_through_html_entities(lea, sender):
    saved = create_template(
        sender,
        name="Link",
        body='<p><a href="https://x.fr/?e={{ contact.email | default:&quot;none&quot; }}">'
        "go</a></p>",
    )
    rendered = render_template(saved, contact=lea, sender=sender)
    assert 'href="https://x.fr/?e=lea@acme.fr"' in rendered.html


def test_the_primary_company_is_read_only_if_the_sender_may_see_it(lea):
    private = make_user("priv@example.com", role="Sales rep – private")  # noqa: RUF001
    rendered = render_template(tpl("{{ company.name }}", ""), contact=lea, sender=private)
    assert rendered.subject == "" and rendered.missing_tokens == ["company.name"]


def test_html_to_text():
    assert html_to_text("<p>a &amp; b</p><ul><li>one</li><li>two</li></ul>x<br>y") == (
        "a & b\none\ntwo\nx\ny"
    )


def test_catalogue_groups_tokens_by_object():
    groups = {g["object"]: g for g in tokens.catalogue()}
    assert list(groups) == ["contact", "company", "deal", "owner", "sender"]
    contact_tokens = [t["token"] for t in groups["contact"]["tokens"]]
    assert "{{ contact.firstname }}" in contact_tokens
    assert all(
        not tokens.problems(t) for g in groups.values() for t in [x["token"] for x in g["tokens"]]
    )


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="{}|:\"' .acdefilmnortx<>p/\n", max_size=80))
def test_split_keeps_every_character_of_any_text(text):
    """Whatever is typed, the pieces put back together are the text itself (no `&` here:
    token bodies are read with HTML entities decoded)."""
    pieces = []
    for part in tokens.split(text):
        if isinstance(part, tokens.Token):
            pieces.append(part.source)
        elif isinstance(part, tokens.Malformed):
            pieces.append(part.text)
        else:
            pieces.append(part)
    assert "".join(pieces) == text


def test_a_long_body_full_of_tokens_renders_quickly(lea, sender):
    body = "<p>" + "Bonjour {{ contact.firstname }} de {{ company.name }}. " * 2_500 + "</p>"
    assert len(body) > 135_000
    saved = create_template(sender, name="Long", body=body)
    started = time.perf_counter()
    rendered = render_template(saved, contact=lea, sender=sender)
    assert time.perf_counter() - started < 2
    assert rendered.html.count("Bonjour Léa de Acme.") == 2_500


def test_text_no_database_stores_is_refused_naming_the_field(sender):
    with pytest.raises(TemplateError) as refused:
        create_template(sender, name="a\x00b", subject="s\ud800", body="<p>\x00</p>")
    assert set(refused.value.errors) == {"name", "subject", "body"}
    assert "cannot be stored" in refused.value.errors["body"][0]


def test_the_subject_is_one_line(sender):
    rendered = render_template(tpl("Hi\r\nBcc: x@y.fr\t{{ sender.firstname }}", ""), sender=sender)
    assert rendered.subject == "Hi Bcc: x@y.fr Sam"
