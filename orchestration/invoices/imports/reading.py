"""Reading a CSV saved by a Brazilian spreadsheet: UTF-8 (with or without BOM) or Windows-1252, `;` or `,`
between fields, columns found by their header whatever its case. Rows come out with the line of the file
they start on (the header is line 1, as the spreadsheet numbers it)."""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.utils.translation import gettext as _

from orchestration.exceptions import ValidationFailed

COLUMNS = (
    "razao_social",
    "nome_sat",
    "cnpj",
    "operadora",
    "filtro",
    "servico",
    "dados_sat",
    "unidade",
    "login_portal",
    "senha_portal",
    "cpf",
)
REQUIRED_COLUMNS = ("razao_social", "cnpj", "operadora")
UNSTRIPPED = frozenset({"senha_portal"})  # a password may begin or end with a space
DELIMITERS = (";", ",")


class ImportFileError(ValidationFailed):
    """The file as a whole cannot be read (encoding, header): no row is looked at."""


@dataclass(frozen=True)
class SourceRow:
    line: int
    values: dict[str, str]
    width: int  # how many fields the line had


@dataclass(frozen=True)
class ParsedFile:
    encoding: str
    delimiter: str
    columns: list[str]
    ignored_columns: list[str]
    width: int  # fields in the header: every row must have as many
    rows: list[SourceRow]


def read_bytes(source: bytes | BinaryIO) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source)
    data = source.read()
    return data.encode() if isinstance(data, str) else bytes(data)


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name). UTF-8 is tried first: Windows-1252 decodes almost anything, so it must be last."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as error:
            raise ImportFileError(
                _("O arquivo começa como UTF-8 mas tem bytes inválidos (posição %(pos)d).") % {"pos": error.start}
            ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _("Codificação não reconhecida: salve o CSV como UTF-8 ou Windows-1252 (byte inválido na posição %(pos)d).")
            % {"pos": error.start}
        ) from None


def sniff_delimiter(header_line: str) -> str:
    """`;` or `,`: whichever separates the header's names (column names never contain either)."""
    try:
        return csv.Sniffer().sniff(header_line, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        counts = {delimiter: header_line.count(delimiter) for delimiter in DELIMITERS}
        return max(counts, key=lambda delimiter: counts[delimiter])


def _normalize_name(name: str) -> str:
    return name.strip().strip("\ufeff").strip().lower().replace(" ", "_")


def parse(source: bytes | BinaryIO) -> ParsedFile:
    text, encoding = decode(read_bytes(source))
    if not text.strip():
        raise ImportFileError(_("O arquivo está vazio."))
    header_line = text.splitlines()[0]
    delimiter = sniff_delimiter(header_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error as error:
        raise ImportFileError(_("Cabeçalho ilegível (linha 1): %(error)s.") % {"error": error}) from None
    names = [_normalize_name(name) for name in header]
    seen: set[str] = set()
    for name in names:
        if name and name in seen:
            raise ImportFileError(_("A coluna %(name)s aparece duas vezes no cabeçalho (linha 1).") % {"name": name})
        seen.add(name)
    missing = [column for column in REQUIRED_COLUMNS if column not in seen]
    if missing:
        raise ImportFileError(
            _("Faltam colunas obrigatórias no cabeçalho (linha 1): %(missing)s. Colunas esperadas: %(expected)s.")
            % {"missing": ", ".join(missing), "expected": ", ".join(COLUMNS)}
        )
    ignored = [name for name in names if name and name not in COLUMNS]
    return ParsedFile(
        encoding=encoding,
        delimiter=delimiter,
        columns=[name for name in names if name in COLUMNS],
        ignored_columns=ignored,
        width=len(names),
        rows=list(_rows(reader, names)),
    )


def _rows(reader: "csv._reader", names: list[str]) -> Iterator[SourceRow]:
    line = reader.line_num + 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ImportFileError(_("Linha %(line)d ilegível: %(error)s.") % {"line": line, "error": error}) from None
        start, line = line, reader.line_num + 1
        if not any(field.strip() for field in fields):
            continue  # a blank line of the spreadsheet
        values = {
            name: fields[i] if name in UNSTRIPPED else fields[i].strip()
            for i, name in enumerate(names)
            if name in COLUMNS and i < len(fields)
        }
        width = len(fields)
        if width > len(names) and not any(field.strip() for field in fields[len(names) :]):
            width = len(names)  # trailing empty cells some spreadsheets add
        yield SourceRow(line=start, values=values, width=width)
