"""URLs of the bank pages (under /<committee>/caja/)."""

urlpatterns = []
