"""The Django plumbing every domain's pages share: form pieces (`forms`), the print page and its
PDF (`printing`, `pdf`), how money and numbers are written (`formats` and the `money` template
tags), the bulk insert for large writes (`bulk`), the base and print templates, the stylesheet and
the vendored scripts. It knows no domain and no committee: only `lib` is below it."""
