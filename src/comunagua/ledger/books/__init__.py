"""The books: the chart of accounts, the journal, the households' accounts beneath it, and the
checks that they hold together. The other areas of the ledger post through `books.services`."""
