"""The JSON API: `kit` is what every domain's endpoints are built with, `v1` assembles them."""
