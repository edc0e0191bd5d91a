"""URLs of the report pages (under /<committee>/caja/)."""

urlpatterns = []
