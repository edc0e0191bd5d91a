"""The reader's app (a PWA): its shell page, service worker and manifest. Its data comes from
the JSON API (metering/api.py)."""
