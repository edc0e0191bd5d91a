"""URLs of the arrears pages (under /<committee>/caja/)."""

urlpatterns = []
