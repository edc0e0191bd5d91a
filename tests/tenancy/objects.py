"""One of everything a committee page can show, and the URLs of those pages, for the isolation
and role tests: every committee URL is built from the real URL configuration and these ids."""

from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_scopes import scope, scopes_disabled

from comunagua.billing import services as billing
from comunagua.ledger.bank import services as bank_services
from comunagua.ledger.books import services as books_services
from comunagua.ledger.cash import services as cash_services
from comunagua.lib.periods import Period
from comunagua.metering.models import Route
from comunagua.metering.readings import services as reading_services
from comunagua.metering.rounds import services as round_services
from comunagua.registry import services
from comunagua.registry.models import Holding
from comunagua.supply.log.entry import LogEntry
from comunagua.supply.log.services import operator_log_enter
from comunagua.supply.network.services import meter_save, source_save
from comunagua.tariffs import services as tariff_services
from comunagua.tenancy.roles import Role
from tests.actors import add_connection, make_user, report_incident
from tests.pictures import picture_bytes

PREFIX = "<slug:committee>/"
# The reader app's service worker and manifest hold no data and need no login, so that a phone
# can update them after its session has expired (tests/metering/test_reader_app.py).
PUBLIC = {"reader-sw", "reader-manifest"}


def committee_patterns(resolver=None, prefix=""):
    """(name, path, view) of every named URL under /<committee>/, from the real URLconf."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from committee_patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            full = prefix + str(entry.pattern)
            if full.startswith(PREFIX):
                yield entry.name, full, entry.callback


# Which object's id each URL with an id takes.
ID_KIND = {
    "member-detail": "member",
    "member-edit": "member",
    "connection-detail": "connection",
    "connection-edit": "connection",
    "connection-transfer": "connection",
    "connection-meter": "connection",
    "import-preview": "import",
    "round-detail": "round",
    "round-close": "round",
    "route-entry": "round",
    "reading-review": "reading",
    "tariff-detail": "tariff",
    "tariff-edit": "tariff",
    "run-detail": "run",
    "run-print": "run",
    "run-print-pdf": "run",
    "bill-detail": "bill",
    "bill-pdf": "bill",
    "credit-note": "bill",
    "statement": "connection",
    "cash-account": "connection",
    "receipt": "payment",
    "receipt-pdf": "payment",
    "receipt-reverse": "payment",
    "session-report": "session",
    "session-close": "session",
    "books-account": "account",
    "bank-statement": "bank_statement",
    "bank-line": "bank_line",
    "bank-line-ignore": "bank_line",
    "arrears-household": "connection",
    "arrears-notice": "connection",
    "arrears-notice-print": "connection",
    "arrears-disconnect": "connection",
    "arrears-reconnect": "connection",
    "arrears-plan": "connection",
    "supply-log-detail": "operator_log",
    "supply-well": "well",
    "supply-source-edit": "well",
    "supply-incident": "incident",
    "supply-incident-letter": "incident",
    "supply-incident-letter-pdf": "incident",
    "supply-incident-photo": "incident_photo",
}
# URLs that take a second id besides pk: {name: {kwarg: kind}}.
MORE_IDS = {"route-entry": {"route": "route"}}
# The month the objects below are made for, and the URLs that take a month instead of an id.
PERIOD = Period(2025, 3)
NOT_IDS = {
    "report-month": {"period": str(PERIOD)},
    "report-pdf": {"period": str(PERIOD)},
    "report-publish": {"period": str(PERIOD)},
}


def committee_url(name: str, slug: str, ids: dict) -> str:
    """The URL of page `name` in committee `slug`, its ids taken from `ids` (committee_objects)."""
    kwargs = {"committee": slug, **NOT_IDS.get(name, {})}
    if name in ID_KIND:
        kwargs["pk"] = ids[ID_KIND[name]]
    for kwarg, kind in MORE_IDS.get(name, {}).items():
        kwargs[kwarg] = ids[kind]
    return reverse(name, kwargs=kwargs)


def committee_objects(committee) -> dict[str, int]:
    """One of each kind of object in ID_KIND, in `committee`, through the services, and the id
    of the cashier whose till is open ("cashier_user"). The incident photo and the committee's
    logo are real files: MEDIA_ROOT must point at a temporary directory."""
    committee.logo.save("logo.png", ContentFile(picture_bytes("PNG")))
    connection = add_connection(committee, "900")
    with scope(committee=committee):
        batch = services.registry_import_upload(
            committee=committee, by=None, filename="x.csv", content=b"a"
        )
    with scopes_disabled():
        member_id = Holding.objects.get(connection=connection).member_id
    with scope(committee=committee):
        (route,) = round_services.routes_from_sectors(committee=committee) or [
            Route.objects.create(committee=committee, name="R")
        ]
        reading_round = round_services.round_open(committee=committee, period=PERIOD, by=None)
        reading = reading_services.reading_enter(
            round=reading_round, connection=connection, value=Decimal(5), by=None
        )
        tariff = tariff_services.tariff_create(
            committee=committee,
            by=None,
            effective_from=date(2016, 1, 1),
            toml_text=Path("docs/examples/tarifa-2016.toml").read_text(),
        )
        round_services.round_close(round=reading_round, by=None)
        run = billing.run_create(committee=committee, period=PERIOD, by=None)
        bill = run.bills.get()
        cashier = make_user(committee, Role.CASHIER)
        till = cash_services.session_open(committee=committee, cashier=cashier)
        payment = cash_services.payment_take(
            committee=committee,
            connection_id=connection.pk,
            amount=Decimal("10"),
            method="cash",
            by=cashier,
            session=till,
        )
        account = books_services.accounts_by_role(committee)["cash"]
        statement = bank_services.statement_import(
            committee=committee,
            content=b"Fecha;Glosa;Monto\n01/03/2025;DEPOSITO;10,00\n",
            filename="extracto.csv",
            by=None,
        )
        bank_line = statement.lines.get()
        well = source_save(
            committee=committee, by=None, name="Pozo", kind="well", depth_m=Decimal(90)
        )
        well_meter = meter_save(
            committee=committee,
            by=None,
            name="Medidor",
            source=well,
            installed_on=date(2025, 1, 1),
            initial_reading=Decimal(0),
        )
        operator_log = operator_log_enter(
            committee=committee,
            entry=LogEntry(day=date(2025, 3, 1), readings={well_meter: Decimal(30)}),
            by=None,
        )
        incident = report_incident(
            committee,
            photo=SimpleUploadedFile(
                "aceite.jpg", picture_bytes("JPEG"), content_type="image/jpeg"
            ),
        )
        photo = incident.photos.get()
    return {
        "operator_log": operator_log.pk,
        "well": well.pk,
        "incident": incident.pk,
        "incident_photo": photo.pk,
        "bank_statement": statement.pk,
        "bank_line": bank_line.pk,
        "run": run.pk,
        "bill": bill.pk,
        "tariff": tariff.pk,
        "connection": connection.pk,
        "member": member_id,
        "import": batch.pk,
        "round": reading_round.pk,
        "route": route.pk,
        "reading": reading.pk,
        "payment": payment.pk,
        "session": till.pk,
        "account": account.pk,
        "cashier_user": cashier.pk,
    }
