"""Parsing of the statements sqlglot leaves as opaque commands.

Athena's Hive DDL (MSCK REPAIR, ALTER TABLE ... ADD PARTITION, SHOW ...), EXPLAIN, Redshift's
CREATE EXTERNAL SCHEMA and transaction verbs come back from sqlglot as `exp.Command` or worse;
here they become small dataclasses the engine dispatches on. Everything else is sqlglot's AST.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError as SqlglotParseError
from sqlglot.errors import TokenError
from sqlglot.tokens import Token, Tokenizer, TokenType

from lakebox.dialects import parameters
from lakebox.errors import NotSupportedError, ParseError, ProgrammingError

DIALECTS = ("athena", "redshift")


@dataclass
class Show:
    kind: str  # databases | tables | partitions | columns | create_table | create_view | views | tblproperties
    #            | redshift_tables | redshift_schemas | redshift_columns (Redshift's own forms)
    target: exp.Table | None = None
    database: str | None = None
    like: str | None = None
    property: str | None = None  # SHOW TBLPROPERTIES t('name')
    limit: int | None = None  # Redshift's SHOW ... LIMIT n


@dataclass
class MsckRepair:
    table: exp.Table


@dataclass
class AddPartitions:
    table: exp.Table
    if_not_exists: bool
    partitions: list[tuple[dict[str, str], str | None]] = field(default_factory=list)


@dataclass
class RenamePartition:
    table: exp.Table
    old: dict[str, str]
    new: dict[str, str]


@dataclass
class AlterDatabaseProperties:
    name: str
    properties: dict[str, str]


@dataclass
class CreateExternalSchema:
    name: str
    database: str
    iam_role: str | None
    if_not_exists: bool
    create_database: bool


@dataclass
class Explain:
    statement: str
    analyze: bool


@dataclass
class Maintenance:
    """Redshift's ANALYZE and VACUUM: they tune storage and statistics, never a result."""

    action: str  # analyze | vacuum
    table: exp.Table | None


@dataclass
class SetSearchPath:
    schemas: list[str] | None  # None: RESET search_path (back to the default)


@dataclass
class TransactionControl:
    action: str  # begin | commit | rollback


@dataclass
class Copy:
    """Redshift's COPY table [(columns)] FROM 'source' options (r_COPY): the options by upper-case name,
    a flag's value True, the others as written (strings unquoted)."""

    table: exp.Table
    columns: list[str] | None
    source: str
    options: dict[str, object] = field(default_factory=dict)


@dataclass
class Unload:
    """Redshift's UNLOAD ('query') TO 's3://prefix' options (r_UNLOAD), options as for Copy."""

    query: str
    target: str
    options: dict[str, object] = field(default_factory=dict)
    partition_by: list[str] | None = None
    partition_include: bool = False


Statement = (exp.Expression | Show | MsckRepair | AddPartitions | RenamePartition | AlterDatabaseProperties
             | CreateExternalSchema | Explain | TransactionControl | Maintenance | SetSearchPath | Copy | Unload)


# Statements whose first word may start one of our own grammars; anything else goes straight to
# sqlglot, so that a query is tokenized once.
_OWN_FIRST_WORDS = {"BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "EXPLAIN", "SHOW", "MSCK", "ALTER",
                    "CREATE"}
# Statements lakebox does not run at all, refused by their first word before any parsing (sqlglot
# would otherwise report some of them as syntax errors).
_REFUSED_FIRST_WORDS = {"ANALYZE", "VACUUM", "GRANT", "REVOKE", "UNLOAD", "COPY", "PREPARE", "EXECUTE", "DEALLOCATE",
                        "CALL", "DECLARE", "FETCH", "CLOSE", "LOCK", "CANCEL", "OPTIMIZE", "REFRESH", "COMMENT",
                        "RESET", "SET"}
_FIRST_WORD = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/|\()*([A-Za-z_]+)", re.DOTALL)


def parse_statement(sql: str, dialect: str) -> Statement:
    """Parse exactly one statement of `dialect` into a sqlglot AST or one of the dataclasses."""
    if dialect not in DIALECTS:
        raise ProgrammingError(f"unknown dialect '{dialect}': use one of {', '.join(DIALECTS)}")
    match = _FIRST_WORD.match(sql)
    if match is not None and dialect == "redshift" and match.group(1).upper() in ("COPY", "UNLOAD"):
        return _parse_copy_unload(sql, dialect)
    if match is not None and match.group(1).upper() in _REFUSED_FIRST_WORDS:
        if dialect == "redshift" and match.group(1).upper() in ("ANALYZE", "VACUUM", "SET", "RESET"):
            special = _parse_redshift_maintenance(sql, dialect)
            if special is not None:
                return special
        raise not_supported(sql, dialect)
    if match is not None and match.group(1).upper() in ("CREATE", "MERGE"):
        _refuse_unsupported_forms(sql, dialect)
        if dialect == "redshift":  # CREATE LOCAL TEMP TABLE: LOCAL is a noise word (r_CREATE_TABLE_NEW)
            sql = _LOCAL_TEMP.sub(r"\1", sql, count=1)
    if match is None or match.group(1).upper() in _OWN_FIRST_WORDS:
        special = _parse_own(sql, dialect)
        if special is not None:
            return special
    interleaved = dialect == "redshift" and bool(_INTERLEAVED.search(sql))
    expression = _parse_with_sqlglot(_INTERLEAVED.sub("COMPOUND SORTKEY", sql) if interleaved else sql, dialect)
    if interleaved:
        expression.meta["interleaved"] = True
    return expression


def _parse_own(sql: str, dialect: str) -> Statement | None:
    statements = _split(_tokenize(sql, dialect))
    if not statements:
        raise ProgrammingError("empty statement: nothing to execute")
    if len(statements) > 1:
        raise _many(len(statements))
    words = [t.text.upper() for t in statements[0][:4]]
    return _parse_special(sql, statements[0], words, dialect)


def _many(count: int) -> ProgrammingError:
    return ProgrammingError(f"execute() runs one statement at a time; this text holds {count}")


class _StatementTokenizer(Tokenizer):
    """Tokens for splitting and for our own statements: no word swallows the rest of the text.

    sqlglot's dialect tokenizers turn everything after SHOW or EXPLAIN into one opaque token."""

    COMMANDS: set = set()
    IDENTIFIERS = ['"', "`"]
    STRING_ESCAPES = ["'", "\\"]


class _RedshiftStatementTokenizer(_StatementTokenizer):
    """Redshift's dollar-quoted bodies (`AS $$ ... $$` of CREATE PROCEDURE/FUNCTION) are one token,
    so that the semicolons inside them do not split the statement."""

    HEREDOC_STRINGS = ["$"]
    HEREDOC_TAG_IS_IDENTIFIER = True
    HEREDOC_STRING_ALTERNATIVE = TokenType.PARAMETER
    SINGLE_TOKENS = {**Tokenizer.SINGLE_TOKENS, "$": TokenType.HEREDOC_STRING}


def _tokenize(sql: str, dialect: str) -> list[Token]:
    tokenizer = _RedshiftStatementTokenizer if dialect == "redshift" else _StatementTokenizer
    try:
        return tokenizer().tokenize(sql)
    except TokenError as error:
        raise ParseError(str(error)) from error


# Verbs whose statements are named by the object word too ("CREATE USER"); words that may come
# between the verb and that word ("CREATE OR REPLACE EXTERNAL FUNCTION"); verbs named with an option.
_OBJECT_VERBS = {"CREATE", "ALTER", "DROP", "SHOW", "DESCRIBE", "REFRESH", "ATTACH", "DETACH", "SET", "RESET"}
_QUALIFIERS = {"OR", "REPLACE", "EXTERNAL", "MATERIALIZED", "TEMP", "TEMPORARY", "LOCAL", "GLOBAL", "UNIQUE",
               "MASKING", "RLS", "IDENTITY", "DEFAULT"}
_OPTIONS = {"ANALYZE": {"COMPRESSION"}, "START": {"TRANSACTION"}}
_DROPPED = {"OR", "REPLACE"}


def statement_label(sql: str, dialect: str = "athena") -> str:
    """The words that name a statement, for messages: 'UNLOAD', 'CREATE USER', 'CREATE EXTERNAL FUNCTION'."""
    try:
        tokens = [t for t in _tokenize(sql, dialect) if t.token_type != TokenType.HIVE_TOKEN_STREAM]
    except ParseError:
        tokens = []
    if not tokens:
        return sql.strip().split(None, 1)[0].upper() if sql.strip() else "(empty)"
    verb = tokens[0].text.upper()
    words = [verb]
    for token in tokens[1:]:
        word = token.text.upper()
        if token.token_type in (TokenType.STRING, TokenType.IDENTIFIER, TokenType.HEREDOC_STRING):
            break
        if verb in _OPTIONS:
            if word in _OPTIONS[verb]:
                words.append(word)
            break
        if verb not in _OBJECT_VERBS:
            break
        words.append(word)
        if word not in _QUALIFIERS:
            break
    if words[:2] == ["ALTER", "TABLE"]:  # name the action too: ALTER TABLE ... OWNER TO
        rest = tokens[3:]  # after the table's name (schema-qualified or not)
        while len(rest) > 1 and rest[0].token_type == TokenType.DOT:
            rest = rest[2:]
        action = []
        for token in rest[:2]:
            if token.token_type in (TokenType.STRING, TokenType.L_PAREN, TokenType.IDENTIFIER, TokenType.NUMBER):
                break
            action.append(token.text.upper())
        if action:
            words += ["..."] + action
    return " ".join(w for w in words if w not in _DROPPED)


# Families lakebox runs in other forms: the message shows which form it is refusing.
_PARTLY_RUN = {"CREATE SCHEMA", "CREATE DATABASE", "CREATE TABLE", "CREATE EXTERNAL TABLE", "CREATE VIEW",
               "CREATE EXTERNAL SCHEMA", "ALTER TABLE", "ALTER DATABASE", "ALTER SCHEMA", "DROP TABLE", "DROP VIEW",
               "DROP SCHEMA", "DROP DATABASE", "SHOW TABLES", "SHOW COLUMNS", "SHOW SCHEMAS"}


def not_supported(sql: str, dialect: str, why: str = "") -> NotSupportedError:
    """The error for a statement lakebox does not run: it names the statement (and says why, if known)."""
    service = "Athena" if dialect == "athena" else "Redshift"
    label = statement_label(sql, dialect)
    if not why and label in _PARTLY_RUN:
        text = " ".join(sql.split())
        why = "not in this form: " + (text if len(text) <= 100 else text[:97] + "...")
    reason = f": {why}" if why else ""
    return NotSupportedError(f"{label} is not supported by lakebox ({service}){reason}")


def _split(tokens: list[Token]) -> list[list[Token]]:
    statements, current = [], []
    for token in tokens:
        if token.token_type == TokenType.HIVE_TOKEN_STREAM:  # Athena's marker for Hive DDL, not text
            continue
        if token.token_type == TokenType.SEMICOLON:
            if current:
                statements.append(current)
            current = []
        else:
            current.append(token)
    if current:
        statements.append(current)
    return statements


def _text_after(sql: str, tokens: list[Token], index: int) -> str:
    """The original text from token `index` to the end of the statement."""
    start = tokens[index].start
    end = tokens[-1].end + 1
    return sql[start:end]


def sqlglot_dialect(dialect: str):
    """The sqlglot dialect lakebox parses `dialect` with (Redshift: keeps templates and names as written)."""
    if dialect == "redshift":
        from lakebox.dialects.redshift_parser import LakeboxRedshift
        return LakeboxRedshift
    return dialect


# Forms of otherwise supported statements that lakebox does not run. sqlglot reports some of them as
# syntax errors; when parsing fails and one of these matches, the user hears what is not supported.
_UNSUPPORTED_FORMS = [
    (re.compile(r"\bIDENTITY\s*\(|\bGENERATED\s+(?:BY\s+DEFAULT|ALWAYS)\s+AS\s+IDENTITY\b", re.IGNORECASE),
     "CREATE TABLE with an IDENTITY column"),
    (re.compile(r"^\s*CREATE\s+(?:(?:LOCAL\s+)?TEMP(?:ORARY)?\s+)?TABLE\b[^(]*\(\s*LIKE\b", re.IGNORECASE),
     "CREATE TABLE ... (LIKE ...)"),
    (re.compile(r"\bREMOVE\s+DUPLICATES\b", re.IGNORECASE), "MERGE ... REMOVE DUPLICATES"),
    (re.compile(r"^\s*DESC(?:RIBE)?\s+(?:EXTENDED\s+|FORMATTED\s+)?[\w.`\"]+\s+[\w`\"]+\s*;?\s*$", re.IGNORECASE),
     "DESCRIBE table column"),
]


def _refuse_unsupported_forms(sql: str, dialect: str) -> None:
    for pattern, what in _UNSUPPORTED_FORMS:
        if pattern.search(sql):
            service = "Athena" if dialect == "athena" else "Redshift"
            raise NotSupportedError(f"{what} is not supported by lakebox ({service})")


_LOCAL_TEMP = re.compile(r"^(\s*CREATE\s+)LOCAL\s+(?=TEMP(?:ORARY)?\s)", re.IGNORECASE)

_PIVOT = re.compile(r"(?<!UN)PIVOT\s*\(", re.IGNORECASE)


# sqlglot names a token by its repr in some messages: say its text, as the user wrote it.
_TOKEN_REPR = re.compile(r"<Token token_type: [^,]+, text: (.*?), line: \d+, col: \d+, start: \d+, end: \d+, "
                         r"comments: \[.*?\]>")


def _readable(message: str) -> str:
    return parameters.unmark_text(_TOKEN_REPR.sub(lambda m: f"'{m.group(1)}'", message))


def _sqlglot_parse(sql: str, dialect: str) -> list[exp.Expression | None]:
    """sqlglot's parse, with parameter markers numbered in the order they are written."""
    target = Dialect.get_or_raise(sqlglot_dialect(dialect))
    tokens = target.tokenize(sql)
    marked = parameters.mark(tokens)
    if hasattr(target, "parse_tokens"):  # lakebox's own dialects adapt the tokens further
        expressions = target.parse_tokens(tokens, sql, error_level=sqlglot.ErrorLevel.RAISE)
    else:
        expressions = target.parser(error_level=sqlglot.ErrorLevel.RAISE).parse(tokens, sql)
    if marked:
        expressions = [None if e is None else parameters.restore(e) for e in expressions]
    return expressions


def _parse_with_sqlglot(sql: str, dialect: str) -> exp.Expression:
    try:
        expressions = _sqlglot_parse(sql, dialect)
    except SqlglotParseError as error:
        _refuse_unsupported_forms(sql, dialect)
        details = error.errors[0] if error.errors else {}
        message = details.get("description") or str(error).splitlines()[0]
        highlight = details.get("highlight")
        if highlight:
            message = f"{message} near '{highlight}'"
        raise ParseError(_readable(message), details.get("line"), details.get("col")) from error
    except TokenError as error:
        raise ParseError(str(error)) from error
    expressions = [e for e in expressions if e is not None]
    if not expressions:
        raise ProgrammingError("empty statement: nothing to execute")
    if len(expressions) > 1:
        raise _many(len(expressions))
    expression = expressions[0]
    if isinstance(expression, exp.Command):
        raise not_supported(sql, dialect)
    if dialect == "redshift" and _PIVOT.search(sql) and \
            any(not p.args.get("unpivot") for p in expression.find_all(exp.Pivot)):
        raise NotSupportedError("PIVOT is not supported by lakebox (Redshift); UNPIVOT is")
    return expression


# Redshift's INTERLEAVED SORTKEY is not in sqlglot's grammar; we parse it as COMPOUND and remember.
_INTERLEAVED = re.compile(r"\bINTERLEAVED\s+SORTKEY\b", re.IGNORECASE)


def is_interleaved(expression: exp.Expression) -> bool:
    return bool(expression.meta.get("interleaved"))


def _parse_special(sql: str, tokens: list[Token], words: list[str], dialect: str) -> Statement | None:
    first = words[0]
    if first in ("BEGIN", "START") and (len(words) == 1 or words[1] in ("TRANSACTION", "WORK")):
        return TransactionControl("begin")
    if first in ("COMMIT", "END") and (len(words) == 1 or words[1] in ("TRANSACTION", "WORK")):
        return TransactionControl("commit")
    if first in ("ROLLBACK", "ABORT") and (len(words) == 1 or words[1] in ("TRANSACTION", "WORK")):
        return TransactionControl("rollback")
    if first == "EXPLAIN":
        analyze = len(words) > 1 and words[1] == "ANALYZE"
        option = tokens[2 if analyze else 1] if len(tokens) > (2 if analyze else 1) else None
        if option is not None and (option.token_type == TokenType.L_PAREN or option.text.upper() == "VERBOSE"):
            what = "EXPLAIN VERBOSE is" if option.text.upper() == "VERBOSE" else "EXPLAIN (TYPE ... | FORMAT ...) is"
            raise NotSupportedError(f"{what} not supported by lakebox: EXPLAIN shows lakebox's scans and DuckDB's plan")
        rest = _text_after(sql, tokens, 2 if analyze else 1)
        return Explain(rest, analyze)
    if first == "SHOW":
        return _parse_show(tokens, dialect)
    if first == "MSCK":
        parser = _TokenParser(tokens, dialect)
        parser.expect("MSCK")
        parser.accept("REPAIR")
        parser.expect("TABLE")
        table = parser.table()
        parser.end()
        return MsckRepair(table)
    if first == "ALTER" and _mentions(tokens, "ADD") and _mentions(tokens, "PARTITION"):
        return _parse_add_partitions(tokens, dialect)
    if first == "ALTER" and _mentions(tokens, "RENAME") and _mentions(tokens, "PARTITION"):
        return _parse_rename_partition(tokens, dialect)
    if first == "ALTER" and len(words) > 1 and words[1] in ("DATABASE", "SCHEMA") and _mentions(tokens, "DBPROPERTIES"):
        return _parse_database_properties(tokens, dialect)
    if first == "CREATE" and len(words) > 2 and words[1] == "EXTERNAL" and words[2] == "SCHEMA":
        return _parse_external_schema(tokens, dialect)
    if first == "CREATE" and len(words) > 1 and words[1] in ("DATABASE", "SCHEMA") and _mentions(tokens, "DBPROPERTIES"):
        return _parse_create_database(tokens, dialect)
    return None


def _mentions(tokens: list[Token], word: str) -> bool:
    return any(t.text.upper() == word and t.token_type != TokenType.STRING for t in tokens)


class _TokenParser:
    """A tiny cursor over tokens for the handful of statements we parse ourselves."""

    def __init__(self, tokens: list[Token], dialect: str):
        self.tokens = tokens
        self.dialect = dialect
        self.index = 0

    def peek(self, offset: int = 0) -> Token | None:
        position = self.index + offset
        return self.tokens[position] if position < len(self.tokens) else None

    def _error(self, expected: str) -> ParseError:
        token = self.peek()
        if token is None:
            last = self.tokens[-1]
            return ParseError(f"expected {expected} at end of statement", last.line, last.col)
        return ParseError(f"expected {expected} but found '{token.text}'", token.line, token.col)

    def accept(self, *words: str) -> bool:
        for offset, word in enumerate(words):
            token = self.peek(offset)
            if token is None or token.token_type == TokenType.STRING or token.text.upper() != word:
                return False
        self.index += len(words)
        return True

    def expect(self, *words: str) -> None:
        if not self.accept(*words):
            raise self._error(" ".join(words))

    def identifier(self) -> str:
        token = self.peek()
        if token is None or token.token_type in (TokenType.STRING, TokenType.L_PAREN, TokenType.R_PAREN,
                                                  TokenType.COMMA, TokenType.EQ, TokenType.DOT):
            raise self._error("a name")
        self.index += 1
        return token.text if token.token_type == TokenType.IDENTIFIER else token.text.lower()

    def string(self) -> str:
        token = self.peek()
        if token is None or token.token_type != TokenType.STRING:
            raise self._error("a quoted string")
        self.index += 1
        return token.text

    def literal(self) -> str:
        token = self.peek()
        if token is None or token.token_type not in (TokenType.STRING, TokenType.NUMBER, TokenType.VAR,
                                                      TokenType.TRUE, TokenType.FALSE):
            raise self._error("a value")
        self.index += 1
        return token.text

    def punct(self, token_type: TokenType, text: str) -> None:
        token = self.peek()
        if token is None or token.token_type != token_type:
            raise self._error(f"'{text}'")
        self.index += 1

    def at(self, token_type: TokenType) -> bool:
        token = self.peek()
        return token is not None and token.token_type == token_type

    def table(self) -> exp.Table:
        parts = [self.identifier()]
        while self.at(TokenType.DOT):
            self.index += 1
            parts.append(self.identifier())
        if len(parts) > 3:
            raise self._error("a table name")
        parts = [None] * (3 - len(parts)) + parts
        catalog, db, name = parts
        return exp.table_(name, db=db, catalog=catalog)

    def end(self) -> None:
        if self.peek() is not None:
            raise self._error("end of statement")


# Redshift's own SHOW statements, whose output lakebox does not produce (its Athena-style SHOW TABLES,
# SHOW COLUMNS IN t and SHOW SCHEMAS run in both dialects).
_REDSHIFT_SHOW = [("DATABASES",), ("TABLE",), ("VIEW",), ("GRANTS",), ("DATASHARES",), ("MODEL",), ("PROCEDURE",),
                  ("EXTERNAL", "TABLE"), ("FUNCTIONS",)]


def _parse_redshift_show(p: _TokenParser) -> Show | None:
    """SHOW TABLES FROM SCHEMA [db.]schema, SHOW SCHEMAS FROM DATABASE db, SHOW COLUMNS FROM TABLE
    [db.]schema.table, each with [LIKE 'pattern'] [LIMIT n]; None for other SHOW statements."""
    if p.accept("TABLES", "FROM", "SCHEMA"):
        parts = [p.identifier()]
        if p.at(TokenType.DOT):
            p.index += 1
            parts.append(p.identifier())
        show = Show("redshift_tables", database=parts[0] if len(parts) == 2 else None)
        show.target = exp.table_("", db=parts[-1])
    elif p.accept("SCHEMAS", "FROM", "DATABASE"):
        show = Show("redshift_schemas", database=p.identifier())
    elif p.accept("COLUMNS", "FROM", "TABLE"):
        target = p.table()
        show = Show("redshift_columns", target=target, database=target.catalog or None)
    else:
        return None
    if p.accept("LIKE"):
        show.like = p.string()
    if p.accept("LIMIT"):
        show.limit = int(p.literal())
    p.end()
    return show


def _parse_show(tokens: list[Token], dialect: str) -> Show:
    p = _TokenParser(tokens, dialect)
    p.expect("SHOW")
    if dialect == "redshift":
        words = [t.text.upper() for t in tokens[1:4]]
        for form in _REDSHIFT_SHOW:
            if tuple(words[:len(form)]) == form:
                raise NotSupportedError(f"SHOW {' '.join(form)} is not supported by lakebox (Redshift)")
        if p.accept("SEARCH_PATH"):
            p.end()
            return Show("redshift_search_path")
        redshift_form = _parse_redshift_show(p)
        if redshift_form is not None:
            return redshift_form
    if p.accept("DATABASES") or p.accept("SCHEMAS"):
        show = Show("databases")
    elif p.accept("TABLES"):
        show = Show("tables")
        if p.accept("IN") or p.accept("FROM"):
            show.database = p.identifier()
    elif p.accept("VIEWS"):
        show = Show("views")
        if p.accept("IN") or p.accept("FROM"):
            show.database = p.identifier()
    elif p.accept("PARTITIONS"):
        show = Show("partitions", target=p.table())
    elif p.accept("COLUMNS"):
        if not (p.accept("IN") or p.accept("FROM")):
            raise p._error("IN or FROM")
        show = Show("columns", target=p.table())
        if p.accept("IN") or p.accept("FROM"):
            show.target.set("db", exp.to_identifier(p.identifier()))
    elif p.accept("CREATE", "TABLE"):
        show = Show("create_table", target=p.table())
    elif p.accept("CREATE", "VIEW"):
        show = Show("create_view", target=p.table())
    elif p.accept("TBLPROPERTIES"):
        show = Show("tblproperties", target=p.table())
        if p.at(TokenType.L_PAREN):
            p.index += 1
            show.property = p.string()
            p.punct(TokenType.R_PAREN, ")")
    else:
        token = p.peek()
        what = token.text.upper() if token else ""
        raise NotSupportedError(f"SHOW {what} is not supported by lakebox (supported: SHOW DATABASES | SCHEMAS | "
                                "TABLES | VIEWS | PARTITIONS | COLUMNS | CREATE TABLE | CREATE VIEW | TBLPROPERTIES)")
    if p.accept("LIKE"):
        show.like = p.string()
    elif p.peek() is not None and p.peek().token_type == TokenType.STRING:
        show.like = p.string()  # Athena: SHOW TABLES 'pattern*'
    p.end()
    return show


def _parse_pairs(p: _TokenParser, key, value) -> dict[str, str]:
    """`(key = value, ...)`, each side read by the given parser method."""
    p.punct(TokenType.L_PAREN, "(")
    pairs: dict[str, str] = {}
    while True:
        name = key()
        p.punct(TokenType.EQ, "=")
        pairs[name] = value()
        if p.at(TokenType.COMMA):
            p.index += 1
            continue
        p.punct(TokenType.R_PAREN, ")")
        return pairs


def _parse_partition_spec(p: _TokenParser) -> dict[str, str]:
    return _parse_pairs(p, lambda: p.identifier().lower(), p.literal)


def _parse_add_partitions(tokens: list[Token], dialect: str) -> AddPartitions:
    p = _TokenParser(tokens, dialect)
    p.expect("ALTER", "TABLE")
    table = p.table()
    p.expect("ADD")
    if_not_exists = p.accept("IF", "NOT", "EXISTS")
    statement = AddPartitions(table, if_not_exists)
    while p.accept("PARTITION"):
        spec = _parse_partition_spec(p)
        location = p.string() if p.accept("LOCATION") else None
        statement.partitions.append((spec, location))
    if not statement.partitions:
        raise p._error("PARTITION")
    p.end()
    return statement


_VACUUM_OPTIONS = ("FULL", "SORT", "ONLY", "DELETE", "REINDEX", "RECLUSTER")


def _parse_redshift_maintenance(sql: str, dialect: str) -> Statement | None:
    """ANALYZE [VERBOSE] [table [(columns)]] [PREDICATE COLUMNS | ALL COLUMNS], VACUUM [option] [table
    [TO n PERCENT]] [BOOST], SET search_path; None for the forms lakebox does not run."""
    statements = _split(_tokenize(sql, dialect))
    if len(statements) != 1:
        raise _many(len(statements)) if statements else ProgrammingError("empty statement: nothing to execute")
    p = _TokenParser(statements[0], dialect)
    if p.accept("RESET"):
        if not p.accept("SEARCH_PATH"):
            return None
        p.end()
        return SetSearchPath(None)
    if p.accept("SET"):
        if not p.accept("SEARCH_PATH"):
            return None
        if not (p.accept("TO") or p.at(TokenType.EQ)):
            raise p._error("TO or =")
        if p.at(TokenType.EQ):
            p.index += 1
        schemas = []
        while p.peek() is not None:
            token = p.peek()
            p.index += 1
            if token.token_type == TokenType.COMMA:
                continue
            schemas.append(token.text if token.token_type in (TokenType.STRING, TokenType.IDENTIFIER)
                           else token.text.lower())
        if not schemas:
            raise p._error("a schema name")
        return SetSearchPath(schemas)
    if p.accept("ANALYZE"):
        if p.accept("COMPRESSION"):
            return None
        p.accept("VERBOSE")
        table = None
        if p.peek() is not None and p.peek().text.upper() not in ("PREDICATE", "ALL"):
            table = p.table()
            if p.at(TokenType.L_PAREN):
                while p.peek() is not None and not p.at(TokenType.R_PAREN):
                    p.index += 1
                p.punct(TokenType.R_PAREN, ")")
        if p.accept("PREDICATE", "COLUMNS") or p.accept("ALL", "COLUMNS"):
            pass
        p.end()
        return Maintenance("analyze", table)
    p.expect("VACUUM")
    while p.peek() is not None and p.peek().text.upper() in _VACUUM_OPTIONS:
        p.index += 1
    table = None
    if p.peek() is not None and p.peek().text.upper() not in ("TO", "BOOST"):
        table = p.table()
    if p.accept("TO"):
        p.literal()
        p.expect("PERCENT")
    p.accept("BOOST")
    p.end()
    return Maintenance("vacuum", table)


def _parse_rename_partition(tokens: list[Token], dialect: str) -> RenamePartition:
    p = _TokenParser(tokens, dialect)
    p.expect("ALTER", "TABLE")
    table = p.table()
    p.expect("PARTITION")
    old = {k: v for k, v in _parse_partition_spec(p).items()}
    p.expect("RENAME", "TO", "PARTITION")
    new = _parse_partition_spec(p)
    p.end()
    return RenamePartition(table, old, new)


def _parse_properties(p: _TokenParser) -> dict[str, str]:
    return _parse_pairs(p, p.string, p.string)


def _parse_create_database(tokens: list[Token], dialect: str) -> exp.Create:
    """Hive's CREATE DATABASE ... [COMMENT] [LOCATION] WITH DBPROPERTIES (...), which sqlglot does not parse."""
    p = _TokenParser(tokens, dialect)
    p.expect("CREATE")
    kind = "SCHEMA" if p.accept("SCHEMA") else "DATABASE"
    if kind == "DATABASE":
        p.expect("DATABASE")
    exists = p.accept("IF", "NOT", "EXISTS")
    name = p.identifier()
    properties: list[exp.Expression] = []
    while p.peek() is not None:
        if p.accept("COMMENT"):
            properties.append(exp.SchemaCommentProperty(this=exp.Literal.string(p.string())))
        elif p.accept("LOCATION"):
            properties.append(exp.LocationProperty(this=exp.Literal.string(p.string())))
        elif p.accept("WITH", "DBPROPERTIES"):
            pairs = _parse_properties(p)
            properties.append(exp.Properties(expressions=[
                exp.Property(this=exp.Literal.string(k), value=exp.Literal.string(v)) for k, v in pairs.items()]))
        else:
            raise p._error("COMMENT, LOCATION or WITH DBPROPERTIES")
    return exp.Create(this=exp.Table(this=exp.to_identifier(name)), kind=kind, exists=exists,
                      properties=exp.Properties(expressions=properties))


def _parse_database_properties(tokens: list[Token], dialect: str) -> AlterDatabaseProperties:
    p = _TokenParser(tokens, dialect)
    p.expect("ALTER")
    if not (p.accept("DATABASE") or p.accept("SCHEMA")):
        raise p._error("DATABASE or SCHEMA")
    name = p.identifier().lower()
    p.expect("SET", "DBPROPERTIES")
    properties = _parse_properties(p)
    p.end()
    return AlterDatabaseProperties(name, properties)


def _parse_external_schema(tokens: list[Token], dialect: str) -> CreateExternalSchema:
    p = _TokenParser(tokens, dialect)
    p.expect("CREATE", "EXTERNAL", "SCHEMA")
    if_not_exists = p.accept("IF", "NOT", "EXISTS")
    name = p.identifier().lower()
    p.expect("FROM")
    if not (p.accept("DATA", "CATALOG") or p.accept("HIVE", "METASTORE")):
        token = p.peek()
        source = token.text.upper() if token else "nothing"
        raise NotSupportedError(f"CREATE EXTERNAL SCHEMA FROM {source} is not supported by lakebox: it mounts "
                                "FROM DATA CATALOG databases")
    p.expect("DATABASE")
    database = p.string().lower()
    iam_role = None
    create_database = False
    while p.peek() is not None:
        if p.accept("IAM_ROLE"):
            iam_role = "default" if p.accept("DEFAULT") else p.string()
        elif p.accept("REGION") or p.accept("CATALOG_ID") or p.accept("CATALOG_ROLE"):
            p.string()
        elif p.accept("CREATE", "EXTERNAL", "DATABASE", "IF", "NOT", "EXISTS"):
            create_database = True
        else:
            raise p._error("IAM_ROLE, REGION or CREATE EXTERNAL DATABASE IF NOT EXISTS")
    return CreateExternalSchema(name, database, iam_role, if_not_exists, create_database)


# COPY and UNLOAD options (r_COPY, copy-parameters-*, r_UNLOAD): how each one's value is written.
# flag: no value; string / number: one value, optionally after AS; optional: a flag or a string.
_COPY_OPTIONS = {
    "IAM_ROLE": "role", "CREDENTIALS": "string", "ACCESS_KEY_ID": "string", "SECRET_ACCESS_KEY": "string",
    "SESSION_TOKEN": "string", "REGION": "string", "MASTER_SYMMETRIC_KEY": "string", "ENCRYPTED": "flag",
    "FORMAT": "format", "CSV": "flag", "PARQUET": "flag", "ORC": "flag", "AVRO": "optional", "JSON": "optional",
    "FIXEDWIDTH": "string", "SHAPEFILE": "flag", "QUOTE": "string", "DELIMITER": "string", "IGNOREHEADER": "number",
    "NULL": "string", "EMPTYASNULL": "flag", "BLANKSASNULL": "flag", "TRUNCATECOLUMNS": "flag",
    "ACCEPTANYDATE": "flag", "ACCEPTINVCHARS": "optional", "DATEFORMAT": "string", "TIMEFORMAT": "string",
    "IGNOREBLANKLINES": "flag", "TRIMBLANKS": "flag", "REMOVEQUOTES": "flag", "ESCAPE": "flag",
    "EXPLICIT_IDS": "flag", "FILLRECORD": "flag", "ROUNDEC": "flag", "MANIFEST": "flag", "GZIP": "flag",
    "BZIP2": "flag", "LZOP": "flag", "ZSTD": "flag", "NOLOAD": "flag", "MAXERROR": "number", "ENCODING": "word",
    "COMPUPDATE": "switch", "STATUPDATE": "switch", "COMPROWS": "number", "READRATIO": "number",
    "IGNOREALLERRORS": "flag", "SERIALIZETOJSON": "flag", "EXTENSION": "string", "HEADER": "flag",
    "ALLOWOVERWRITE": "flag", "CLEANPATH": "flag", "PARALLEL": "switch", "MAXFILESIZE": "size",
    "ROWGROUPSIZE": "size", "ADDQUOTES": "flag", "KMS_KEY_ID": "string", "VERBOSE": "flag",
}
_FORMATS = ("CSV", "PARQUET", "ORC", "JSON", "AVRO", "FIXEDWIDTH", "SHAPEFILE")


def _parse_copy_unload(sql: str, dialect: str) -> Copy | Unload:
    statements = _split(_tokenize(sql, dialect))
    if len(statements) != 1:
        raise _many(len(statements)) if statements else ProgrammingError("empty statement: nothing to execute")
    p = _TokenParser(statements[0], dialect)
    if p.accept("COPY"):
        table = p.table()
        columns = None
        if p.at(TokenType.L_PAREN):
            p.index += 1
            columns = [p.identifier().lower()]
            while p.at(TokenType.COMMA):
                p.index += 1
                columns.append(p.identifier().lower())
            p.punct(TokenType.R_PAREN, ")")
        if p.accept("TO"):
            raise NotSupportedError("COPY ... TO is not Redshift SQL: use UNLOAD")
        p.expect("FROM")
        token = p.peek()
        if token is not None and token.token_type != TokenType.STRING:
            raise NotSupportedError(f"COPY FROM {token.text} is not supported by lakebox (Redshift): it loads "
                                    "from Amazon S3 ('s3://bucket/prefix')")
        source = p.string()
        statement: Copy | Unload = Copy(table, columns, source)
    else:
        p.expect("UNLOAD")
        p.punct(TokenType.L_PAREN, "(")
        query = p.string()
        p.punct(TokenType.R_PAREN, ")")
        p.expect("TO")
        statement = Unload(query, p.string())
    _parse_options(p, statement)
    return statement


def _parse_options(p: _TokenParser, statement: Copy | Unload) -> None:
    options = statement.options
    while p.peek() is not None:
        if p.at(TokenType.COMMA):  # WITH-style lists are not Redshift's, but a stray comma is harmless
            p.index += 1
            continue
        p.accept("WITH")
        token = p.peek()
        word = token.text.upper()
        if isinstance(statement, Unload) and (p.accept("PARTITION", "BY") or p.accept("PARTITION BY")):
            p.punct(TokenType.L_PAREN, "(")
            names = [p.identifier().lower()]
            while p.at(TokenType.COMMA):
                p.index += 1
                names.append(p.identifier().lower())
            p.punct(TokenType.R_PAREN, ")")
            statement.partition_by = names
            statement.partition_include = p.accept("INCLUDE")
            continue
        kind = _COPY_OPTIONS.get(word) if token.token_type != TokenType.STRING else None
        if kind is None:
            verb = "COPY" if isinstance(statement, Copy) else "UNLOAD"
            raise ParseError(f"{verb}: unknown option '{token.text}'", token.line, token.col)
        p.index += 1
        if kind == "flag":
            value: object = True
        elif kind == "role":
            value = "default" if p.accept("DEFAULT") else p.string()
        elif kind == "format":
            p.accept("AS")
            fmt = p.peek()
            if fmt is None or fmt.text.upper() not in _FORMATS:
                raise p._error("a data format (" + ", ".join(_FORMATS) + ")")
            p.index += 1
            word, value = fmt.text.upper(), True
            following = p.peek()
            if word in ("JSON", "AVRO", "FIXEDWIDTH") and (p.accept("AS") or (
                    following is not None and following.token_type == TokenType.STRING)):
                value = p.string()
        elif kind == "optional":
            p.accept("AS")
            following = p.peek()
            value = p.string() if following is not None and following.token_type == TokenType.STRING else True
        elif kind == "switch":
            following = p.peek()
            value = True
            if following is not None and following.text.upper() in ("ON", "OFF", "TRUE", "FALSE", "PRESET"):
                p.index += 1
                value = following.text.upper() in ("ON", "TRUE", "PRESET")
        elif kind == "size":
            p.accept("AS")
            number = p.literal()
            unit = p.peek()
            scale = 1.0
            if unit is not None and unit.text.upper() in ("MB", "GB"):
                p.index += 1
                scale = 1024.0 if unit.text.upper() == "GB" else 1.0
            value = float(number) * scale
        else:
            p.accept("AS")
            value = p.string() if kind == "string" else p.literal()
            if kind == "number":
                try:
                    value = int(str(value))
                except ValueError:
                    raise ParseError(f"{word} needs a whole number, not '{value}'") from None
        if word in options:
            raise ParseError(f"conflicting or redundant options: {word} is given twice")
        options[word] = value
