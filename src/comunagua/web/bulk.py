"""Insert many rows of one model from plain tuples, without building model instances.

`insert_rows(Bill, ["committee_id", "number", ...], rows)` writes each tuple of `rows` as one
row of the model's table. It is for large, insert-only writes (a billing run of 100,000 bills):

- On PostgreSQL it streams the rows with one `COPY table (columns) FROM STDIN` (psycopg 3);
  elsewhere (SQLite) it runs one `INSERT` with `executemany`. Both go through the same value
  conversion, so the SQLite tests check what PostgreSQL gets.
- Values are Python values as you would assign them to the model's attributes: Decimals, dates,
  lists and dicts for a JSONField, and for a foreign key the related object's pk under the
  field's attname (`connection_id`) or its name (`connection`). Each one is converted with
  `field.get_db_prep_save(value, connection)`, as `bulk_create` does (a JSONField's value is
  dumped to JSON, dates become text on SQLite, ...). Nothing is validated or rounded beyond
  that: give values that fit the columns, or the database refuses the whole insert.
- A concrete field not in `fields` gets what `bulk_create` would give it: nothing for an
  automatic primary key or a field with a `db_default` (the database fills them), the field's
  default otherwise, `auto_now`/`auto_now_add` fields the time of the call. These are worked
  out once for all rows (a callable default is called once); a primary key without automatic
  value must be given.
- It runs inside the caller's transaction (`atomic(savepoint=False)`: no savepoint, and outside
  any transaction a transaction of its own): an exception later in the caller's atomic block
  takes the rows back with everything else.
- It bypasses the model: no `save()`, no signals, no history, no scoped manager, and it returns
  no primary keys. On PostgreSQL the COPY also bypasses Django's execute wrappers and query log.
"""

from collections.abc import Iterable, Sequence

from django.db import connections, router, transaction
from django.db.models import Model
from django.db.models.fields import AutoFieldMixin, Field


def insert_rows(
    model: type[Model],
    fields: Sequence[str],
    rows: Iterable[Sequence],
    *,
    using: str | None = None,
) -> None:
    """Insert `rows` (tuples with one value per name of `fields`) into `model`'s table."""
    using = using or router.db_for_write(model)
    connection = connections[using]
    given = [_field(model, name) for name in fields]
    if len({f.column for f in given}) != len(given):
        raise ValueError(f"a field is named twice in {list(fields)}")
    filled = _filled(model, {f.column for f in given})
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in (*given, *filled))
    tail = tuple(f.get_db_prep_save(value, connection) for f, value in filled.items())
    prepare = [f.get_db_prep_save for f in given]
    width = len(given)

    def prepared():
        for row in rows:
            if len(row) != width:
                raise ValueError(f"a row has {len(row)} values for {width} fields: {row!r}")
            yield (
                *(prep(value, connection) for prep, value in zip(prepare, row, strict=True)),
                *tail,
            )

    with transaction.atomic(using=using, savepoint=False):
        if connection.vendor == "postgresql":
            connection.validate_no_broken_transaction()
            with (
                connection.wrap_database_errors,  # IntegrityError etc., as Django raises them
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for row in prepared():
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * (width + len(filled)))
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", prepared()
                )


def _field(model: type[Model], name: str) -> Field:
    found = model._meta.get_field(name)
    if not getattr(found, "concrete", False) or found.many_to_many or found.one_to_many:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return found


def _filled(model: type[Model], given_columns: set[str]) -> dict[Field, object]:
    """The values bulk_create would give the fields a caller leaves out, once for all rows: a
    blank instance's defaults, through pre_save (which stamps auto_now and auto_now_add)."""
    blank = None
    filled = {}
    for f in model._meta.concrete_fields:
        if f.column in given_columns or f.has_db_default() or isinstance(f, AutoFieldMixin):
            continue
        if f.primary_key:
            raise ValueError(f"give {model.__name__}.{f.name}: it has no automatic value")
        if blank is None:
            blank = model()
        filled[f] = f.pre_save(blank, add=True)
    return filled
