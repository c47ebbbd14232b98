"""Which column of an export holds which field: presets, a user's TOML mapping, synonyms.

A preset (`presets/<name>.toml`) and a user's mapping file share one format, so that what
`reportgen check` prints for a file is a mapping the user can copy and edit:

    [source]   encoding, delimiter, header_row, date_format, decimal, table, sheet
    [columns]  field = "Header" (or a list of spellings)
    [types]    invoice / credit_note / payment / refund / write_off / skip = [values of `type`]
    [status]   skip = [values of `status` that are not receivables]
    [detect]   all = [headers that must all be there], any = [...]   (presets only)

Headers are compared normalised (NFKC, case, spacing, a leading `*`, a trailing colon), so
`*InvoiceNumber`, `invoicenumber` and `ＩｎｖｏｉｃｅＮｕｍｂｅｒ` are one header.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from reportgen.read import DataError

# the intermediate vocabulary (see presets/synonyms.toml), and what each field holds
MONEY_FIELDS = (
    "amount",
    "line_amount",
    "open_amount",
    "tax",  # added to `amount` where an export gives net and tax apart (Sage)
    "paid_amount",  # paid at the time of sale (MYOB): a payment on that document
    "unused_amount",  # the part of a payment not applied to the invoice on its row (Zoho)
    "debit",
    "credit",
    "credit_limit",
)
DATE_FIELDS = ("date", "due_date")
# what a mapping file may call a field, per target table (the SPEC's own column names)
ALIASES = {
    "invoice_id": "document_id",
    "payment_id": "document_id",
    "credit_note_id": "document_id",
    "invoice_date": "date",
    "payment_date": "date",
}
TABLE_KINDS = ("invoices", "payments", "credit_notes", "customers", "ledger")
DOCUMENT_KINDS = ("invoice", "credit_note", "write_off", "payment", "refund", "skip")


def normal(header: str) -> str:
    text = unicodedata.normalize("NFKC", header).casefold().strip().lstrip("\ufeff")
    text = text.lstrip("*").strip().rstrip(":").strip()
    text = text.replace("(原币)", "")
    text = re.sub(r"\s*([-/])\s*", r"\1", text)
    return re.sub(r"\s+", " ", text)


@dataclass
class Mapping:
    """How to read one kind of export."""

    name: str  # preset name, "mapping" (a user's file) or "generic"
    system: str = ""
    source: dict = field(default_factory=dict)
    columns: dict[str, list[str]] = field(default_factory=dict)  # field -> spellings
    types: dict[str, list[str]] = field(default_factory=dict)  # kind -> values
    status_skip: list[str] = field(default_factory=list)
    detect_all: list[str] = field(default_factory=list)
    detect_any: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)  # field -> the name the file used

    @property
    def table(self) -> str | None:
        return self.source.get("table")

    def type_of(self) -> dict[str, str]:
        """Normalised value of the type column -> kind of document."""
        out = {normal(v): kind for kind, values in DEFAULT_TYPES.items() for v in values}
        out.update({normal(v): kind for kind, values in self.types.items() for v in values})
        return out


def _as_list(value) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value]


def parse_mapping(data: dict, name: str, origin: str) -> Mapping:
    unknown = set(data) - {"system", "source", "columns", "types", "status", "detect", "ignore"}
    if unknown:
        raise DataError(f"{origin}: unknown section(s) {', '.join(sorted(unknown))}")
    source = dict(data.get("source", {}))
    if source.get("table") and source["table"] not in TABLE_KINDS:
        raise DataError(
            f"{origin}: [source] table = '{source['table']}' is not one of {', '.join(TABLE_KINDS)}"
        )
    columns: dict[str, list[str]] = {}
    keys: dict[str, str] = {}
    for key, value in data.get("columns", {}).items():
        target = ALIASES.get(key, key)
        if source.get("table") in ("payments", "credit_notes") and key == "invoice_id":
            target = "reference"  # in a list of credits, invoice_id is the invoice they quote
        if target not in FIELDS:
            raise DataError(
                f"{origin}: [columns] {key} is not a field reportgen knows "
                f"(fields: {', '.join(FIELDS)})"
            )
        columns[target] = _as_list(value)
        keys[target] = key
    types = {k: _as_list(v) for k, v in data.get("types", {}).items()}
    bad = set(types) - set(DOCUMENT_KINDS)
    if bad:
        raise DataError(
            f"{origin}: [types] {', '.join(sorted(bad))}: use {', '.join(DOCUMENT_KINDS)}"
        )
    detect = data.get("detect", {})
    return Mapping(
        name=name,
        system=data.get("system", ""),
        source=source,
        columns=columns,
        types=types,
        status_skip=_as_list(data.get("status", {}).get("skip", [])),
        detect_all=[normal(h) for h in _as_list(detect.get("all", []))],
        detect_any=[normal(h) for h in _as_list(detect.get("any", []))],
        ignore=[normal(h) for h in _as_list(data.get("ignore", []))],
        keys=keys,
    )


def read_mapping(path: Path) -> Mapping:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"mapping file {path} not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"mapping file {path.name}: not valid TOML ({exc})") from None
    return parse_mapping(data, "mapping", path.name)


def _preset_files():
    return resources.files("reportgen.ingest").joinpath("presets")


@cache
def synonyms() -> dict[str, list[str]]:
    text = _preset_files().joinpath("synonyms.toml").read_text(encoding="utf-8")
    return {k: [normal(v) for v in values] for k, values in tomllib.loads(text).items()}


FIELDS = (
    "document_id",
    "type",
    "customer_id",
    "name",
    "date",
    "due_date",
    "amount",
    "line_amount",
    "open_amount",
    "currency",
    "reference",
    "status",
    "dc",
    "debit",
    "credit",
    "tax",
    "paid_amount",
    "unused_amount",
    "method",
    "credit_limit",
    "payment_terms_days",
    "segment",
    "owner",
    "country",
    "email",
    "risk_class",
)

# Values of a type column seen across systems (reference, table B5); presets add their own.
DEFAULT_TYPES = {
    "invoice": [
        "invoice",
        "sales invoice",
        "customer invoice",
        "out_invoice",
        "SI",
        "DR",
        "RV",
        "应收单",
        "标准应收单",
        "销售发票",
        "其他应收单",
        "System Receivable Invoice",
    ],
    "credit_note": [
        "credit_note",
        "credit note",
        "credit memo",
        "sales credit note",
        "customer credit note",
        "out_refund",
        "SC",
        "DG",
        "红字应收单",
        "贷项通知单",
    ],
    "write_off": ["write_off", "write-off", "write off", "bad debt", "坏账"],
    "payment": [
        "payment",
        "payment entry",
        "invoice payment",
        "receipt",
        "sales receipt",
        "SR",
        "SA",
        "DZ",
        "收款单",
        "收款",
        "Sales overpayment",
        "overpayment",
        "prepayment",
        "预收款",
    ],
    "refund": ["refund", "SP", "收款退款单", "退款"],
    "skip": ["journal entry", "general journal", "entry", "quote", "order", "estimate"],
}


@cache
def presets() -> dict[str, Mapping]:
    found = {}
    for item in _preset_files().iterdir():
        if item.name.endswith(".toml") and item.name != "synonyms.toml":
            name = item.name.removesuffix(".toml")
            data = tomllib.loads(item.read_text(encoding="utf-8"))
            found[name] = parse_mapping(data, name, f"preset {name}")
    return found


def preset(name: str) -> Mapping:
    known = presets()
    if name not in known:
        raise DataError(f"unknown preset '{name}' (presets: {', '.join(sorted(known))})")
    return known[name]


def family(name: str) -> list[Mapping]:
    """A named preset and its variants (`xero` -> xero, xero-aged-receivables)."""
    preset(name)  # an unknown name is an error
    return [m for key, m in presets().items() if key == name or key.startswith(f"{name}-")]


def detect(headers: list[str], candidates: list[Mapping] | None = None) -> Mapping | None:
    """The preset whose signature headers are all in `headers` (the one matching most of
    its columns when several do), or None."""
    present = {normal(h) for h in headers if h}
    best, best_score = None, 0
    for candidate in candidates if candidates is not None else presets().values():
        if not candidate.detect_all or not set(candidate.detect_all) <= present:
            continue
        if candidate.detect_any and not set(candidate.detect_any) & present:
            continue
        spellings = {normal(s) for values in candidate.columns.values() for s in values}
        score = len(candidate.detect_all) * 100 + len(spellings & present)
        if score > best_score:
            best, best_score = candidate, score
    return best


def header_score(cells: list[str], mapping: Mapping | None) -> int:
    """How many cells of a row are headers some field knows: the header row scores highest."""
    known = _known_headers()
    if mapping is not None:
        known |= {normal(s) for values in mapping.columns.values() for s in values}
    return sum(1 for c in cells if c and normal(c) in known)


@cache
def _known_headers() -> frozenset[str]:
    known = {s for values in synonyms().values() for s in values}
    for m in presets().values():
        known |= {normal(s) for values in m.columns.values() for s in values}
    return frozenset(known)


def resolve(headers: list[str], mapping: Mapping) -> tuple[dict[str, int], list[str]]:
    """field -> column index, and the problems (a column the mapping names that is missing).
    The mapping's own spellings come first, then the synonyms for the fields it leaves out."""
    normals = [normal(h) if h else "" for h in headers]
    taken: set[int] = {i for i, n in enumerate(normals) if n in mapping.ignore}
    found: dict[str, int] = {}
    missing = []
    for name, spellings in mapping.columns.items():
        index = _first(normals, [normal(s) for s in spellings], taken)
        if index is None:
            if mapping.name == "mapping":  # a preset's columns are optional, a user's are not
                missing.append(f"{mapping.keys.get(name, name)} = {spellings!r}")
            continue
        found[name] = index
        taken.add(index)
    for name in FIELDS:
        if name in found or name in mapping.columns:
            continue
        index = _first(normals, synonyms().get(name, []), taken)
        if index is not None:
            found[name] = index
            taken.add(index)
    return found, missing


def _first(normals: list[str], spellings: list[str], taken: set[int]) -> int | None:
    for spelling in spellings:
        for i, n in enumerate(normals):
            if n == spelling and i not in taken:
                return i
    return None
