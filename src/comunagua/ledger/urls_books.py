"""URLs of the books pages (under /<committee>/caja/)."""

urlpatterns = []
