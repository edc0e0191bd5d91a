"""Every write to the register. Keyword-only, one transaction each, validated before saving;
the user who acts is stamped on the history record."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comunagua.tenancy.models import Committee
from comunagua.tenancy.writes import ensure_same_committee, save_validated

from . import selectors
from .models import Connection, Holding, Lot, Member, Meter, Sector

MEMBER_FIELDS = {
    "code",
    "first_names",
    "last_names",
    "id_document",
    "phone",
    "gender",
    "household_size",
    "joined_on",
    "status",
    "notes",
    "user",
}
CONNECTION_FIELDS = {"category", "has_sewer", "status", "connected_on", "closed_on", "notes"}
LOT_FIELDS = {"sector", "address", "reference", "latitude", "longitude"}


def _set(instance, fields: dict, allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(instance, name, value)


@transaction.atomic
def member_create(*, committee: Committee, by, **fields) -> Member:
    member = Member(committee=committee)
    _set(member, fields, MEMBER_FIELDS)
    save_validated(member, by)
    return member


@transaction.atomic
def member_update(*, member: Member, by, **fields) -> Member:
    _set(member, fields, MEMBER_FIELDS)
    save_validated(member, by)
    return member


@transaction.atomic
def sector_get_or_create(*, committee: Committee, name: str) -> Sector:
    name = " ".join(name.split())
    sector = Sector.objects.filter(committee=committee, name__iexact=name).first()
    if sector is None:
        position = Sector.objects.filter(committee=committee).count() + 1
        sector = Sector(committee=committee, name=name, position=position)
        sector.full_clean()
        sector.save()
    return sector


@transaction.atomic
def connection_create(
    *,
    committee: Committee,
    by,
    number: str,
    address: str,
    sector: Sector | None = None,
    reference: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    holder: Member | None = None,
    holder_since: date | None = None,
    meter: dict | None = None,
    **fields,
) -> Connection:
    """A new connection on a new lot, with its first holder and first meter when known."""
    ensure_same_committee(committee.pk, sector, holder)
    lot = Lot(
        committee=committee,
        sector=sector,
        address=address,
        reference=reference,
        latitude=latitude,
        longitude=longitude,
    )
    save_validated(lot, by)
    connection = Connection(committee=committee, lot=lot, number=number.strip())
    _set(connection, fields, CONNECTION_FIELDS)
    save_validated(connection, by)
    if holder is not None:
        since = holder_since or connection.connected_on or holder.joined_on or committee.today()
        save_validated(
            Holding(committee=committee, connection=connection, member=holder, started_on=since), by
        )
    if meter:
        meter_install(connection=connection, by=by, **meter)
    return connection


@transaction.atomic
def connection_update(*, connection: Connection, by, **fields) -> Connection:
    lot_fields = {k: fields.pop(k) for k in list(fields) if k in LOT_FIELDS}
    if lot_fields:
        ensure_same_committee(connection.committee_id, lot_fields.get("sector"))
        _set(connection.lot, lot_fields, LOT_FIELDS)
        save_validated(connection.lot, by)
    _set(connection, fields, CONNECTION_FIELDS)
    save_validated(connection, by)
    return connection


@transaction.atomic
def connection_transfer(
    *, connection: Connection, by, member: Member, on: date, reason: str = ""
) -> Holding:
    """Transfer of rights: the current holding ends the day the new one starts."""
    ensure_same_committee(connection.committee_id, member)
    connection = Connection.objects.select_for_update().get(pk=connection.pk)
    current = selectors.current_holding(connection)
    if current is not None:
        if current.member_id == member.pk:
            raise ValidationError(_("%(name)s already holds this connection.") % {"name": member})
        if on < current.started_on:
            raise ValidationError(
                {
                    "on": _("The transfer date is before the current holder's start (%(date)s).")
                    % {"date": current.started_on.strftime("%d/%m/%Y")}
                }
            )
        current.ended_on = on
        current.reason = current.reason or reason
        save_validated(current, by)
    holding = Holding(
        committee_id=connection.committee_id,
        connection=connection,
        member=member,
        started_on=on,
        reason=reason,
    )
    save_validated(holding, by)
    return holding


def _check_reading(value: Decimal, digits: int, field: str) -> None:
    if value < 0:
        raise ValidationError({field: _("A meter reading cannot be negative.")})
    if value >= Decimal(10) ** digits:
        raise ValidationError(
            {
                field: _("A %(digits)s-digit meter cannot show %(value)s.")
                % {"digits": digits, "value": value}
            }
        )


@transaction.atomic
def meter_install(
    *,
    connection: Connection,
    by,
    serial: str,
    installed_on: date,
    digits: int = 5,
    initial_reading: Decimal = Decimal(0),
    brand: str = "",
) -> Meter:
    if Meter.objects.filter(connection=connection, removed_on__isnull=True).exists():
        raise ValidationError(_("This connection already has a meter in service; replace it."))
    _check_reading(initial_reading, digits, "initial_reading")
    meter = Meter(
        committee_id=connection.committee_id,
        connection=connection,
        serial=serial.strip(),
        brand=brand,
        digits=digits,
        installed_on=installed_on,
        initial_reading=initial_reading,
    )
    save_validated(meter, by)
    return meter


@transaction.atomic
def meter_swap(
    *,
    connection: Connection,
    by,
    removed_on: date,
    final_reading: Decimal,
    serial: str,
    digits: int = 5,
    initial_reading: Decimal = Decimal(0),
    reason: str = "",
    brand: str = "",
    check: Callable[[Meter], None] | None = None,
) -> Meter:
    """Close the meter in service with its final reading and install the new one the same day.

    The register checks what its rows say: a meter in service, the change not dated before its
    installation, another serial, readings the dials can show. `check(old)` is the caller's
    further checks on the meter removed, run under the lock before anything is written:
    metering's meter_replace checks the final reading and the date against the meter's
    readings, which the register does not read."""
    old = (
        Meter.objects.select_for_update()
        .filter(connection=connection, removed_on__isnull=True)
        .first()
    )
    if old is None:
        raise ValidationError(_("This connection has no meter in service to replace."))
    if removed_on < old.installed_on:
        raise ValidationError(
            {
                "removed_on": _("The meter was installed on %(date)s, after that date.")
                % {"date": old.installed_on.strftime("%d/%m/%Y")}
            }
        )
    if serial.strip() == old.serial:
        raise ValidationError({"serial": _("The new meter must have another serial number.")})
    _check_reading(final_reading, old.digits, "final_reading")
    _check_reading(initial_reading, digits, "initial_reading")
    if check is not None:
        check(old)
    old.removed_on = removed_on
    old.final_reading = final_reading
    old.removal_reason = reason
    save_validated(old, by)
    return meter_install(
        connection=connection,
        by=by,
        serial=serial,
        installed_on=removed_on,
        digits=digits,
        initial_reading=initial_reading,
        brand=brand,
    )


@transaction.atomic
def registry_import_upload(*, committee: Committee, by, filename: str, content: bytes):
    """Keep the uploaded bytes so the preview and the import read exactly the same file."""
    from .models import RegistryImport

    return RegistryImport.objects.create(
        committee=committee, uploaded_by=by, filename=filename[:200], content=content
    )


@transaction.atomic
def registry_import_apply(*, batch, by) -> int:
    """All or nothing: any bad row and nothing is written. Returns the connections created."""

    from . import importer
    from .models import RegistryImport

    batch = RegistryImport.objects.select_for_update().get(pk=batch.pk)
    if batch.status != RegistryImport.Status.PREVIEW:
        raise importer.ImportRejected(
            [importer.RowError(0, "", _("This file was already imported."))]
        )
    return _import_rows(batch=batch, by=by, importer=importer, now=timezone.now())


def _import_rows(*, batch, by, importer, now) -> int:
    committee = batch.committee
    preview = importer.preview(
        committee=committee, filename=batch.filename, content=bytes(batch.content)
    )
    if not preview.ok:
        raise importer.ImportRejected(preview.errors)
    # Rows the preview matched to registered members join them; the others are created once
    # per member key (the same ID document, or the same full name without one).
    registered = Member.objects.filter(
        committee=committee, pk__in={row.member_id for row in preview.rows if row.member_id}
    ).in_bulk()
    members: dict[tuple, Member] = {}
    sectors: dict[str, Sector] = {}
    for row in preview.rows:
        try:
            key = importer.member_key(row.member)
            member = registered[row.member_id] if row.member_id else members.get(key)
            if member is None:
                member = member_create(committee=committee, by=by, **row.member)
                members[key] = member
            lot = dict(row.lot)
            sector_name = lot.pop("sector")
            if sector_name:
                if sector_name.lower() not in sectors:
                    sectors[sector_name.lower()] = sector_get_or_create(
                        committee=committee, name=sector_name
                    )
                lot["sector"] = sectors[sector_name.lower()]
            connection_create(
                committee=committee,
                by=by,
                number=row.number,
                holder=member,
                meter=_meter_or_none(row.meter, committee.today()),
                **lot,
                **row.connection,
            )
        except ValidationError as error:
            # Checks the preview cannot see (a constraint, a model rule): still all or nothing.
            raise importer.ImportRejected(
                [importer.RowError(row.line, "", "; ".join(error.messages))]
            ) from error
    batch.status = batch.Status.APPLIED
    batch.applied_at = now
    batch.rows_imported = len(preview.rows)
    batch.save(update_fields=["status", "applied_at", "rows_imported"])
    return len(preview.rows)


def _meter_or_none(meter: dict | None, today: date) -> dict | None:
    if meter and meter.get("installed_on") is None:
        meter = {**meter, "installed_on": today}
    return meter
