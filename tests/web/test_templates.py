"""The shared templates as a screen reader and a keyboard meet them: a field's help and errors
carry the ids its aria-describedby names, the menu says which area the page is in, and a skip
link jumps past the menu."""

import re

import pytest
from django import forms
from django.template.loader import render_to_string
from django.urls import reverse

from comunagua.tenancy.roles import Role
from tests.actors import make_user


class _Form(forms.Form):
    amount = forms.IntegerField(help_text="En bolivianos, sin centavos.")


def test_a_fields_help_and_errors_are_what_its_aria_describedby_names():
    html = render_to_string("includes/form_fields.html", {"form": _Form({"amount": "x"})})
    described = re.search(r'aria-describedby="([^"]+)"', html).group(1).split()
    assert described == ["id_amount_helptext", "id_amount_error"]
    for target in described:
        assert f'id="{target}"' in html
    help_text = re.search(r'id="id_amount_helptext"[^>]*>([^<]+)<', html).group(1)
    assert help_text == "En bolivianos, sin centavos."
    assert re.search(r'id="id_amount_error"><p class="error">[^<]+</p>', html)


@pytest.mark.django_db
def test_the_menu_marks_the_area_of_the_page_and_only_that_one(client, committee):
    client.force_login(make_user(committee, Role.BOARD))
    books = reverse("books-home", kwargs={"committee": committee.slug})
    cash = reverse("cash-home", kwargs={"committee": committee.slug})
    html = client.get(reverse("books-journal", kwargs={"committee": committee.slug})).content
    current = re.findall(r'<a href="([^"]+)" aria-current="page">', html.decode())
    # The books live under the cash desk's address; the longer match is the page's area.
    assert current == [books] and books.startswith(cash)


@pytest.mark.django_db
def test_a_skip_link_is_the_first_thing_a_keyboard_reaches_and_leads_to_the_content(
    client, committee
):
    client.force_login(make_user(committee, Role.TREASURER))
    html = client.get(reverse("committee-home", kwargs={"committee": committee.slug})).content
    body = html.decode().split("<body>", 1)[1]
    first_link = re.search(r"<a [^>]*>[^<]*</a>", body).group(0)
    assert 'href="#main"' in first_link and "Saltar al contenido" in first_link
    assert '<main id="main"' in body
