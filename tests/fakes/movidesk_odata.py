"""The slice of OData v4 that the Movidesk fake understands: `$filter`, `$orderby`, `$expand`.

Dates are kept as ticks (100 ns units since the Unix epoch, UTC), the resolution Movidesk returns.
Date literals must be UTC with `Z`; without a zone or with an offset the real API tends to answer
400, and so does this fake.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

TICKS_PER_SECOND = 10_000_000
DATE_FIELDS = frozenset({"lastUpdate", "createdDate", "resolvedIn", "closedIn", "lastActionDate"})
FILTERABLE = frozenset({"id", "lastUpdate", "createdDate", "baseStatus", "status", "ownerTeam", "urgency"})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DATE_LITERAL = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,7}))?(Z|[+-]\d{2}:\d{2})?$")
_TOKEN = re.compile(r"\s*(\(|\)|'(?:[^']|'')*'|[A-Za-z0-9_:.+\-/]+)")


class ODataError(ValueError):
    """Invalid query; the fake answers 400 with this message, as Movidesk does."""


def ticks_from_datetime(value: datetime) -> int:
    delta = value.astimezone(UTC) - _EPOCH
    return (delta.days * 86400 + delta.seconds) * TICKS_PER_SECOND + delta.microseconds * 10


def datetime_from_ticks(ticks: int) -> datetime:
    return _EPOCH + timedelta(microseconds=ticks // 10)


def parse_date_literal(text: str) -> int:
    match = _DATE_LITERAL.match(text)
    if not match:
        raise ODataError(f"The DateTimeOffset literal '{text}' is not valid.")
    base, fraction, zone = match.groups()
    if zone != "Z":
        raise ODataError(f"The DateTimeOffset literal '{text}' must be in UTC with a 'Z' suffix.")
    if len(base) == 16:
        base += ":00"
    whole = datetime.strptime(base, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    return ticks_from_datetime(whole) + int((fraction or "0").ljust(7, "0"))


@dataclass(frozen=True)
class Comparison:
    field: str
    op: str
    value: Any


@dataclass(frozen=True)
class Logical:
    op: str  # "and" | "or"
    left: "Node"
    right: "Node"


@dataclass(frozen=True)
class Not:
    operand: "Node"


Node = Comparison | Logical | Not
Row = Callable[[str], Any]


def _tokens(text: str) -> list[str]:
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise ODataError(f"Syntax error at position {position} in '{text}'.")
        tokens.append(match.group(1))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.position = 0

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise ODataError("Unexpected end of $filter.")
        self.position += 1
        return token

    def parse(self) -> Node:
        node = self.or_expr()
        if self.peek() is not None:
            raise ODataError(f"Syntax error near '{self.peek()}'.")
        return node

    def or_expr(self) -> Node:
        node = self.and_expr()
        while self.peek() == "or":
            self.take()
            node = Logical("or", node, self.and_expr())
        return node

    def and_expr(self) -> Node:
        node = self.unary()
        while self.peek() == "and":
            self.take()
            node = Logical("and", node, self.unary())
        return node

    def unary(self) -> Node:
        token = self.peek()
        if token == "not":
            self.take()
            return Not(self.unary())
        if token == "(":
            self.take()
            node = self.or_expr()
            if self.take() != ")":
                raise ODataError("Missing ')'.")
            return node
        return self.comparison()

    def comparison(self) -> Comparison:
        field, op, literal = self.take(), self.take(), self.take()
        if field not in FILTERABLE:
            raise ODataError(
                f"The child type 'ticket' in a cast was not an entity type. Could not find a property named '{field}'."
            )
        if op not in {"eq", "ne", "gt", "ge", "lt", "le"}:
            raise ODataError(f"Unknown operator '{op}'.")
        return Comparison(field, op, _literal(field, literal))


def _literal(field: str, text: str) -> Any:
    if field in DATE_FIELDS:
        return parse_date_literal(text)
    if field == "id":
        if not text.isdigit():
            raise ODataError(f"A binary operator with incompatible types was detected: '{text}' for 'id'.")
        return int(text)
    if len(text) < 2 or text[0] != "'" or text[-1] != "'":
        raise ODataError(f"String literal expected for '{field}', got {text}.")
    return text[1:-1].replace("''", "'")


def parse_filter(text: str) -> Node | None:
    return _Parser(text).parse() if text.strip() else None


_COMPARE = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a is not None and a > b,
    "ge": lambda a, b: a is not None and a >= b,
    "lt": lambda a, b: a is not None and a < b,
    "le": lambda a, b: a is not None and a <= b,
}


def evaluate(node: Node | None, row: Row) -> bool:
    if node is None:
        return True
    if isinstance(node, Comparison):
        return _COMPARE[node.op](row(node.field), node.value)
    if isinstance(node, Not):
        return not evaluate(node.operand, row)
    if node.op == "and":
        return evaluate(node.left, row) and evaluate(node.right, row)
    return evaluate(node.left, row) or evaluate(node.right, row)


def last_update_bounds(node: Node | None) -> tuple[int | None, int | None]:
    """Inclusive lower and upper ticks the filter implies for lastUpdate, so pages can be cut from an index."""
    if node is None or isinstance(node, Not):
        return None, None
    if isinstance(node, Comparison):
        if node.field != "lastUpdate":
            return None, None
        value = node.value
        return {
            "eq": (value, value),
            "gt": (value + 1, None),
            "ge": (value, None),
            "lt": (None, value - 1),
            "le": (None, value),
        }.get(node.op, (None, None))
    left, right = last_update_bounds(node.left), last_update_bounds(node.right)
    if node.op == "and":
        lowers = [b for b in (left[0], right[0]) if b is not None]
        uppers = [b for b in (left[1], right[1]) if b is not None]
        return (max(lowers) if lowers else None), (min(uppers) if uppers else None)
    lower = None if left[0] is None or right[0] is None else min(left[0], right[0])
    upper = None if left[1] is None or right[1] is None else max(left[1], right[1])
    return lower, upper


def parse_orderby(text: str) -> list[tuple[str, bool]]:
    """[(field, descending)]; the real API's default order is by id."""
    order = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        pieces = part.split()
        field = pieces[0]
        direction = pieces[1].lower() if len(pieces) > 1 else "asc"
        if field not in FILTERABLE or direction not in {"asc", "desc"} or len(pieces) > 2:
            raise ODataError(f"Invalid $orderby clause '{part}'.")
        order.append((field, direction == "desc"))
    return order or [("id", False)]


def parse_expand(text: str) -> set[str]:
    """Top-level navigation properties named in `$expand`, nested options ignored."""
    names, depth, current = set(), 0, ""
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            names.add(current.strip())
            current = ""
        elif depth == 0:
            current += char
    if current.strip():
        names.add(current.strip())
    return names
