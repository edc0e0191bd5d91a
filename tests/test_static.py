"""The stylesheet and htmx are served by the application itself (whitenoise), no web server."""

import re

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_every_stylesheet_and_script_the_login_page_links_is_served(client):
    html = client.get(reverse("login")).content.decode()
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert any(a.endswith(".css") for a in assets) and any("htmx" in a for a in assets)
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
