"""Which household a deposit names, pure (no Django): a connection number, a member code or the
holder's ID document (CI) as a whole word of the reference or the description. Two households,
or none: the line waits for a person. `bank.selectors.directory` gathers the words."""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

# A word of the text: letters and digits, with inner "-", "/" or "." ("A-12", "15/03/2025").
_WORD = re.compile(r"[0-9A-Z]+(?:[-/.][0-9A-Z]+)*")


_AMOUNT_WORDS = {"BS", "BOB", "USD", "SUS"}


def normal(text: str) -> str:
    """Capitals without accents: how the words are compared."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return text.upper()


def words(text: str) -> list[str]:
    """The words a household may be named by. A compound word counts whole; if it names no one,
    its parts count ("CONEX-123" -> "123"), unless it is all digits (a date, an amount). A
    number right after "Bs" is an amount, not a household."""
    found = []
    previous = ""
    for word in _WORD.findall(normal(text)):
        if previous in _AMOUNT_WORDS:
            previous = word
            continue
        previous = word
        found.append(word)
    return found


@dataclass
class Directory:
    """A committee's households by the words that name them."""

    by_word: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    def add(self, word: str, connection_id: int) -> None:
        word = normal(word).strip()
        if word:
            self.by_word[word].add(connection_id)


def match_text(found: Directory, text: str) -> set[int]:
    """The households the text names (one: a match; several: ambiguous; none: unknown)."""
    matched: set[int] = set()
    for word in words(text):
        if word in found.by_word:
            matched |= found.by_word[word]
            continue
        parts = re.split(r"[-/.]", word)
        if len(parts) > 1 and not all(p.isdigit() for p in parts):
            for part in parts:
                matched |= found.by_word.get(part, set())
    return matched
