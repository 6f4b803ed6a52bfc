"""One spelling per address, for comparing e-mails the way people (and PostgreSQL's UPPER) would.

PostgreSQL's case-insensitive match folds `ſ` to `S` and `ı` to `I`, so `orqueſtra` and `orquestra` are
the same account to the database while Python's `lower()` keeps them apart. Folding here goes further
than the database does: compatibility forms (full-width letters, ligatures), both case directions and
accents, so that two addresses a person cannot tell apart never belong to two accounts.
"""

import unicodedata


def email_fold(email: str) -> str:
    text = unicodedata.normalize("NFKC", email.strip()).upper().lower()
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))
