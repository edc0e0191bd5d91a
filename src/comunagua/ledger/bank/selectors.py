"""Reads of the bank statements: what importing a file would do (`statement_preview`, which
writes nothing), the households a line names, the statements imported."""

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from comunagua.registry.models import Connection, Holding
from comunagua.tenancy.models import Committee

from ..models import BankImport, BankLine
from .matching import Directory, match_text, normal
from .statement import RowError, StatementLine, parse

MIN_DOCUMENT_DIGITS = 5  # "4567890 LP" is also found as "4567890"; shorter digits are too common


def directory(committee: Committee) -> Directory:
    """Connection numbers (every connection: a closed one may still owe), and the member code and
    ID document of each connection's current holder."""
    found = Directory()
    for pk, number in Connection.objects.filter(committee=committee).values_list("pk", "number"):
        found.add(number, pk)
    holdings = Holding.objects.filter(committee=committee, ended_on__isnull=True).values_list(
        "connection_id", "member__code", "member__id_document"
    )
    for connection_id, code, document in holdings:
        if code:
            found.add(code, connection_id)
        if document:
            compact = re.sub(r"[\s.]", "", normal(document))
            found.add(compact, connection_id)
            # "4567890 LP", "4567890-1B": the bank's payer writes the number alone.
            digits = re.match(r"\d+", compact)
            if digits and len(digits.group()) >= MIN_DOCUMENT_DIGITS:
                found.add(digits.group(), connection_id)
    return found


@dataclass
class PreviewLine:
    line: StatementLine
    connection_id: int | None = None  # the household it will be paid to
    candidates: tuple[int, ...] = ()  # more than one: ambiguous
    imported: BankLine | None = None  # the same line, already imported
    connection: Connection | None = None
    candidate_connections: list = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.imported is not None:
            return "duplicate"
        return "matched" if self.connection_id else "unmatched"


@dataclass
class Preview:
    filename: str
    lines: list[PreviewLine] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    debits: int = 0

    def _of(self, status: str) -> list[PreviewLine]:
        return [p for p in self.lines if p.status == status]

    @property
    def matched(self) -> list[PreviewLine]:
        return self._of("matched")

    @property
    def unmatched(self) -> list[PreviewLine]:
        return self._of("unmatched")

    @property
    def duplicates(self) -> list[PreviewLine]:
        return self._of("duplicate")

    @property
    def new(self) -> list[PreviewLine]:
        return [p for p in self.lines if p.imported is None]

    @property
    def matched_total(self) -> Decimal:
        return sum((p.line.amount for p in self.matched), Decimal("0.00"))

    @property
    def unmatched_total(self) -> Decimal:
        return sum((p.line.amount for p in self.unmatched), Decimal("0.00"))

    @property
    def ok(self) -> bool:
        """Nothing wrong, and something new to import."""
        return not self.errors and bool(self.new)

    @property
    def digest(self) -> str:
        """What the person saw: if the import would do anything else, it asks again."""
        parts = sorted(f"{p.line.fingerprint}:{p.connection_id or ''}" for p in self.new)
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def statement_preview(*, committee: Committee, content: bytes, filename: str) -> Preview:
    """What importing the file would do: each deposit with its household (or none), the lines
    already imported, and every error. Writes nothing."""
    parsed = parse(content, today=committee.today())
    preview = Preview(filename=filename, errors=parsed.errors, debits=parsed.debits)
    if parsed.errors:
        return preview
    imported = {
        line.fingerprint: line
        for line in BankLine.objects.filter(
            committee=committee, fingerprint__in=[s.fingerprint for s in parsed.lines]
        ).select_related("statement", "payment", "payment__connection")
    }
    found = directory(committee)
    for statement_line in parsed.lines:
        row = PreviewLine(statement_line, imported=imported.get(statement_line.fingerprint))
        if row.imported is None:
            households = match_text(found, statement_line.text)
            if len(households) == 1:
                row.connection_id = next(iter(households))
            else:
                row.candidates = tuple(sorted(households))
        preview.lines.append(row)
    _attach_connections(committee, preview.lines)
    return preview


def _attach_connections(committee: Committee, rows: list[PreviewLine]) -> None:
    """The connections the page names, with their current holders, in two queries."""
    ids = {r.connection_id for r in rows if r.connection_id}
    ids |= {pk for r in rows for pk in r.candidates}
    if not ids:
        return
    connections = households(committee, ids)
    for r in rows:
        r.connection = connections.get(r.connection_id)
        r.candidate_connections = [connections[pk] for pk in r.candidates if pk in connections]


def households(committee: Committee, ids) -> dict[int, Connection]:
    """Connections by id, each with `holders` (its current holders' members)."""
    connections = {
        c.pk: c for c in Connection.objects.filter(committee=committee, pk__in=list(ids))
    }
    for c in connections.values():
        c.holders = []
    for holding in Holding.objects.filter(
        committee=committee, connection_id__in=list(connections), ended_on__isnull=True
    ).select_related("member"):
        connections[holding.connection_id].holders.append(holding.member)
    return connections


def line_candidates(line: BankLine) -> list[Connection]:
    """The households an unresolved line names (several: the ambiguity a person resolves)."""
    ids = match_text(directory(line.committee), f"{line.reference} {line.description}")
    found = households(line.committee, ids)
    return [found[pk] for pk in sorted(found, key=lambda pk: found[pk].number)]


def statements(committee: Committee):
    """The committee's statements, newest first, with their counts and totals."""
    return BankImport.objects.filter(committee=committee).annotate(
        line_count=Count("lines"),
        matched_count=Count("lines", filter=Q(lines__status=BankLine.Status.MATCHED)),
        unmatched_count=Count("lines", filter=Q(lines__status=BankLine.Status.UNMATCHED)),
        ignored_count=Count("lines", filter=Q(lines__status=BankLine.Status.IGNORED)),
        total=Sum("lines__amount"),
        matched_total=Sum("lines__amount", filter=Q(lines__status=BankLine.Status.MATCHED)),
    )
