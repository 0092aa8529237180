"""Full-text search over cases: what collectors actually type.

Two FTS5 tables, both keyed by case id (rowid):

* `case_search` – trigram tokenizer over case number, debtor name, phones (national digits), addresses
  and ID tail. Finds any substring of three or more characters: '5678' (phone tail), '0012' (part of a
  case number), '王伟明', '锦江区'.
* `case_search_short` – unicode61 over name and addresses written one character per token. A query of
  one or two characters ('王', '王伟', '锦江') becomes a phrase of single-character tokens, which the
  trigram index cannot answer (it returns nothing under three characters).

The documents are built here and written by the same transaction that changes their sources.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # SQLAlchemy is imported where it is used: the launch reads a first page without it
    from sqlalchemy import Connection

FTS_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS case_search USING fts5("
    "case_no, name, phones, addresses, id_tail, tokenize='trigram')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS case_search_short USING fts5("
    "name, addresses, tokenize='unicode61 remove_diacritics 0')",
)
FTS_TABLES = ("case_search", "case_search_short")

_SPACE = re.compile(r"\s+")
_CASE_NO_PREFIX = re.compile(r"^[A-Za-z]{1,4}[0-9]{2,}$")


@dataclass(frozen=True, slots=True)
class SearchDoc:
    case_id: int
    case_no: str
    name: str
    phones: str
    addresses: str
    id_tail: str

    def short(self) -> tuple[str, str]:
        # name and addresses are normalised already (`make_doc`): only the spaces go.
        return " ".join(self.name.replace(" ", "")), " ".join(self.addresses.replace(" ", ""))


def normalise(text_: str) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text_)).strip()


def spaced(text_: str) -> str:
    """'王伟 Li' → '王 伟 L i': every character its own token for the short index."""
    # After `normalise` the only whitespace left is single ' ' (\s matches what str.isspace() does).
    return " ".join(normalise(text_).replace(" ", ""))


_NOT_ASCII_DIGIT = re.compile(r"[^0-9]+")


def national_digits(phone: str) -> str:
    # ASCII text (nearly every number) in one regex pass; other text keeps str.isdigit's wider sense.
    digits = (_NOT_ASCII_DIGIT.sub("", phone) if phone.isascii()
              else "".join(ch for ch in phone if ch.isdigit()))
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


_DOCS_SQL = """
        SELECT c.id, c.case_no, d.name, d.id_number,
               (SELECT group_concat(p.number, ' ') FROM phones p WHERE p.debtor_id = d.id),
               (SELECT group_concat(a.text, ' ') FROM addresses a WHERE a.debtor_id = d.id)
        FROM cases c JOIN debtors d ON d.id = c.debtor_id {where}
        ORDER BY c.id"""
_DOCS_OF_IDS = "WHERE c.id IN (SELECT value FROM json_each(:ids))"


def _ids_json(case_ids: Sequence[int]) -> str:
    return "[" + ",".join(str(int(i)) for i in case_ids) + "]"


def _doc_of_row(r: Sequence[Any]) -> SearchDoc:
    return make_doc(r[0], r[1], r[2], r[3], (r[4] or "").split(" "), [r[5] or ""])


def docs_for(conn: Connection, case_ids: Sequence[int] | None = None) -> list[SearchDoc]:
    """Build the search documents of some cases (all when `case_ids` is None) from the store."""
    from sqlalchemy import text

    if case_ids is None:
        return [_doc_of_row(r) for r in conn.execute(text(_DOCS_SQL.format(where=""))).all()]
    if not case_ids:
        return []
    rows = conn.execute(text(_DOCS_SQL.format(where=_DOCS_OF_IDS)), {"ids": _ids_json(case_ids)}).all()
    return [_doc_of_row(r) for r in rows]


def make_doc(case_id: int, case_no: str, name: str, id_number: str, phones: Iterable[str],
             addresses: Iterable[str]) -> SearchDoc:
    return SearchDoc(
        case_id=case_id,
        case_no=normalise(case_no),
        name=normalise(name),
        phones=" ".join(national_digits(p) for p in phones if p),
        addresses=normalise(" ".join(a for a in addresses if a)),
        id_tail=id_number.strip()[-6:],
    )


_DELETE_DOC = "DELETE FROM case_search WHERE rowid = :id"
_DELETE_SHORT = "DELETE FROM case_search_short WHERE rowid = :id"
_INSERT_DOC = ("INSERT INTO case_search(rowid, case_no, name, phones, addresses, id_tail) "
               "VALUES (:id, :case_no, :name, :phones, :addresses, :id_tail)")
_INSERT_SHORT = "INSERT INTO case_search_short(rowid, name, addresses) VALUES (:id, :name, :addresses)"


def _doc_params(docs: Sequence[SearchDoc]) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    ids = [{"id": d.case_id} for d in docs]
    full = [{"id": d.case_id, "case_no": d.case_no, "name": d.name, "phones": d.phones,
             "addresses": d.addresses, "id_tail": d.id_tail} for d in docs]
    short = [{"id": d.case_id, "name": s[0], "addresses": s[1]} for d in docs for s in [d.short()]]
    return ids, full, short


def write_docs(conn: Connection, docs: Sequence[SearchDoc]) -> None:
    """Replace the search rows of these cases. Call inside the writing transaction."""
    from sqlalchemy import text

    if not docs:
        return
    ids, full, short = _doc_params(docs)
    conn.execute(text(_DELETE_DOC), ids)
    conn.execute(text(_DELETE_SHORT), ids)
    conn.execute(text(_INSERT_DOC), full)
    conn.execute(text(_INSERT_SHORT), short)


def reindex_cases(conn: Connection, case_ids: Sequence[int]) -> None:
    """Rebuild the search rows of these cases (deleting those of cases gone) in the connection's
    transaction: one statement per table for the whole set, run on the DB-API connection underneath
    (SQLAlchemy's per-row parameter handling would cost more than the FTS writes for a pulled page)."""
    reindex_cases_db(conn.connection.driver_connection, case_ids)


def reindex_cases_db(db: Any, case_ids: Sequence[int]) -> None:
    """`reindex_cases` on the bare DB-API connection of `Store.write_db` (same SQL, same documents)."""
    if not case_ids:
        return
    existing = [_doc_of_row(r) for r in db.execute(_DOCS_SQL.format(where=_DOCS_OF_IDS),
                                                   {"ids": _ids_json(case_ids)}).fetchall()]
    ids, full, short = _doc_params(existing)
    gone = [{"id": cid} for cid in sorted(set(case_ids) - {d.case_id for d in existing})]
    db.executemany(_DELETE_DOC, ids + gone)
    db.executemany(_DELETE_SHORT, ids + gone)
    db.executemany(_INSERT_DOC, full)
    db.executemany(_INSERT_SHORT, short)


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


MAX_TERMS = 8


@dataclass(frozen=True, slots=True)
class SearchTerm:
    """One term of what the user typed and how it is looked up.

    `kind`: "case_no" (letters then digits: a prefix range on the unique case-number index), "trigram"
    (three or more characters) or "short" (one or two characters, the per-character index).
    """

    kind: str
    key: str
    params: dict[str, str]

    @property
    def table(self) -> str:
        return "case_search_short" if self.kind == "short" else "case_search"

    def condition(self, broad: bool = False) -> str:
        """A condition on `cases`. `broad`: the term matches a large share of the cases, so the query
        should walk the list's sort index and test each row (the unary `+` keeps SQLite from driving
        the query by this term), instead of collecting every match and sorting them."""
        plus = "+" if broad else ""
        if self.kind == "case_no":
            return f"({plus}cases.case_no >= :{self.key}lo AND {plus}cases.case_no < :{self.key}hi)"
        return f"{plus}cases.id IN (SELECT rowid FROM {self.table} WHERE {self.table} MATCH :{self.key})"

    def size_sql(self) -> str:
        """How many cases match, stopping at `:cap` (a LIMIT probe: cheap whatever the term)."""
        if self.kind == "case_no":
            inner = f"SELECT 1 FROM cases WHERE case_no >= :{self.key}lo AND case_no < :{self.key}hi"
        else:
            inner = f"SELECT 1 FROM {self.table} WHERE {self.table} MATCH :{self.key}"
        return f"SELECT count(*) FROM ({inner} LIMIT :cap)"


def search_terms(query: str) -> list[SearchTerm]:
    """The terms of a user's search text (at most eight; all must match)."""
    terms: list[SearchTerm] = []
    for i, term in enumerate([t for t in normalise(query).split(" ") if t][:MAX_TERMS]):
        key = f"q{i}"
        if _CASE_NO_PREFIX.match(term):
            # Letters then digits can only begin a case number: the unique index answers a prefix range
            # at once, where the trigram index would intersect posting lists as long as the whole table.
            prefix = term.upper()
            terms.append(SearchTerm("case_no", key, {f"{key}lo": prefix, f"{key}hi": prefix + "\U0010ffff"}))
        elif len(term) >= 3:
            terms.append(SearchTerm("trigram", key, {key: _quote(term)}))
        else:
            terms.append(SearchTerm("short", key, {key: _quote(" ".join(term))}))
    return terms


def match_clause(query: str, broad: Collection[int] = ()) -> tuple[str, dict[str, str]] | None:
    """SQL (a condition on `cases.id`) and parameters for a user's search text, or None if empty.

    Terms separated by spaces must all match. Terms of three or more characters use the trigram
    index; shorter ones use the per-character index as a phrase. `broad`: positions of terms known to
    match a large share of the cases (see `SearchTerm.condition`).
    """
    terms = search_terms(query)
    if not terms:
        return None
    params: dict[str, str] = {}
    for t in terms:
        params.update(t.params)
    return " AND ".join(t.condition(i in broad) for i, t in enumerate(terms)), params


def fts_out_of_step(conn: Connection) -> list[int]:
    """Case ids whose search rows differ from what their data says (empty when in step)."""
    from sqlalchemy import text

    expected = {d.case_id: d for d in docs_for(conn)}
    actual = {
        r[0]: r[1:] for r in conn.execute(
            text("SELECT rowid, case_no, name, phones, addresses, id_tail FROM case_search")).all()
    }
    short = {r[0]: r[1:] for r in conn.execute(
        text("SELECT rowid, name, addresses FROM case_search_short")).all()}
    bad: set[int] = set(actual) - set(expected) | set(short) - set(expected)
    for cid, doc in expected.items():
        if actual.get(cid) != (doc.case_no, doc.name, doc.phones, doc.addresses, doc.id_tail):
            bad.add(cid)
        elif short.get(cid) != doc.short():
            bad.add(cid)
    return sorted(bad)
