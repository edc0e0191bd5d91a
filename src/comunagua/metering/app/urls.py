from django.urls import path

from . import views

# The service worker's scope is the app's folder: it is served from inside it.
urlpatterns = [
    path("", views.reader_app, name="reader-app"),
    path("sw.js", views.reader_sw, name="reader-sw"),
    path("manifest.webmanifest", views.reader_manifest, name="reader-manifest"),
]
