"""pg_proc: the functions the session's dialect supports, as psql's \\df family, pgJDBC's
DatabaseMetaData and plain catalog SQL see them.

PostgreSQL lists its built-in functions in pg_catalog, which `\\df` hides and `\\dfS` shows; lakebox
lists the functions its dialect families declare supported or partial (lakebox/dialects/*.py,
FUNCTIONS) there too, so `\\df` is truthfully empty (there are no user functions).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from lakebox.server import pgfunctions
from wirekit import Running, need, need_binary, need_module, start

CLIENTS = Path(__file__).parent / "clients"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def athena(lake_home):
    thread = start(lake_home, dialect="athena")
    try:
        yield Running(thread, lake_home)
    finally:
        thread.stop()


def psql(server, *args):
    binary = need_binary("psql")
    env = dict(os.environ, PGPASSWORD=server.password, PGHOST="127.0.0.1", PGPORT=str(server.port),
               PGUSER=server.user, PGDATABASE="dev", PSQLRC="/dev/null", PGCONNECT_TIMEOUT="10")
    return subprocess.run([binary, "-X", "-v", "ON_ERROR_STOP=1", *args], env=env, capture_output=True, text=True,
                          timeout=60)


def _rows(text: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.split("|")] for line in text.splitlines() if line.count("|") >= 3]


# --------------------------------------------------------------------------- what pg_proc lists


def _compatibility_declarations() -> dict:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import compatibility
    finally:
        sys.path.pop(0)
    return compatibility._declarations("FUNCTIONS")


@pytest.mark.parametrize("dialect", ["athena", "redshift"])
def test_pg_proc_lists_the_supported_and_partial_functions_and_nothing_else(dialect):
    declared = _compatibility_declarations()[dialect]
    listed = {f.name for f in pgfunctions.functions(dialect)}
    wanted = set()
    for entry in declared.values():
        if entry.status == "not supported":
            continue
        for part in re.sub(r"\(.*\)", "", entry.name).split("/"):
            name = part.strip().lower()
            if re.fullmatch(r"[a-z_][a-z0-9_]*", name) and name not in pgfunctions._SYNTAX_NAMES:
                wanted.add(name)
    assert listed == wanted
    refused = {e.name.lower() for e in declared.values() if e.status == "not supported"}
    assert not listed & refused
    assert {"upper", "date_trunc", "count" if dialect == "redshift" else "count_if"} <= listed


@pytest.mark.parametrize("dialect", ["athena", "redshift"])
def test_every_written_signature_names_a_declared_function(dialect):
    signatures = pgfunctions._parse_signatures(pgfunctions._SIGNATURES[dialect])  # parses: types exist
    listed = {f.name for f in pgfunctions.functions(dialect)}
    assert set(signatures) <= listed, "a signature for a function the dialect does not declare"


def test_a_function_without_a_written_signature_claims_none():
    for function in pgfunctions.functions("redshift"):
        if function.name == "decode":
            assert function.arguments == (2276,) and function.variadic == 2276 and function.result == 705
            return
    pytest.fail("decode is declared by the Redshift families")


# --------------------------------------------------------------------------- psql


def test_psql_df_family(server):
    out = psql(server, "-c", r"\df", "-c", r"\dfS upper", "-c", r"\df+ upper", "-c", r"\dfS+ upper*",
               "-c", r"\dfS trunc timestamp", "-c", r"\dfaS", "-c", r"\dfwS", "-c", r"\dfS coalesce")
    assert out.returncode == 0, out.stderr
    sections = out.stdout.split("List of functions")
    assert len(sections) == 9
    assert "(0 rows)" in sections[1]  # \df: no user functions, which is the truth
    assert _rows(sections[2])[1:] == [["pg_catalog", "upper", "character varying", "character varying", "func"]]
    assert "(1 row)" in sections[3]  # a pattern shows pg_catalog's functions, S or not, as in PostgreSQL
    plus = _rows(sections[4])
    assert plus[0][:5] == ["Schema", "Name", "Result data type", "Argument data types", "Type"]
    upper = [r for r in plus if r[1] == "upper"][0]
    assert upper[5:11] == ["immutable", "safe", server.user, "invoker", "", "internal"]
    assert upper[-1].startswith("supported")
    assert _rows(sections[5])[1:] == [["pg_catalog", "trunc", "date", "timestamp without time zone", "func"]]
    aggregates = {r[1] for r in _rows(sections[6])[1:]}
    assert {"count", "sum", "listagg", "median"} <= aggregates and all(r[4] == "agg" for r in _rows(sections[6])[1:])
    windows = {r[1] for r in _rows(sections[7])[1:]}
    assert {"row_number", "lag", "ntile"} <= windows
    assert _rows(sections[8])[1:] == [["pg_catalog", "coalesce", "anyelement", "VARIADIC anyarray", "func"]]


def test_psql_dfs_lists_every_function_of_the_dialect(server, athena):
    for running, dialect in ((server, "redshift"), (athena, "athena")):
        out = psql(running, "-c", r"\dfS")
        assert out.returncode == 0, out.stderr
        assert f"({len(pgfunctions.functions(dialect))} rows)" in out.stdout
    out = psql(athena, "-c", r"\dfS regexp_position", "-c", r"\dfS concat*")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "regexp_position | integer          | character varying, character varying, bigint, bigint" in text
    assert "VARIADIC character varying[]" in text


def test_psql_sf(server):
    out = psql(server, "-c", r"\sf upper")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[:2] == ["CREATE OR REPLACE FUNCTION pg_catalog.upper(character varying)",
                                          " RETURNS character varying"]
    overloaded = psql(server, "-c", r"\sf trunc")
    assert overloaded.returncode != 0 and 'more than one function named "trunc"' in overloaded.stderr
    missing = psql(server, "-c", r"\sf no_such_function")
    assert missing.returncode != 0 and 'function "no_such_function" does not exist' in missing.stderr


# --------------------------------------------------------------------------- catalog SQL


def test_catalog_functions_over_pg_proc(server):
    psycopg = need_module("psycopg")
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        row = conn.execute(
            "SELECT p.proname, p.proargtypes, p.proargtypes[0], pg_catalog.oidvectortypes(p.proargtypes), "
            "pg_catalog.pg_get_function_arguments(p.oid), pg_catalog.pg_get_function_identity_arguments(p.oid), "
            "pg_catalog.pg_get_function_result(p.oid), p.prokind, p.provolatile, p.pronargs, "
            "pg_catalog.obj_description(p.oid, 'pg_proc') "
            "FROM pg_catalog.pg_proc p WHERE p.proname = 'nvl2'").fetchone()
        assert row[:10] == ("nvl2", "2276 2283 2283", 2276, '"any", anyelement, anyelement',
                            '"any", anyelement, anyelement', '"any", anyelement, anyelement', "anyelement", "f",
                            "i", 3)
        assert row[10].startswith("supported")
        variadic = conn.execute(
            "SELECT p.provariadic, p.proallargtypes, p.proargmodes, pg_catalog.pg_get_function_arguments(p.oid) "
            "FROM pg_catalog.pg_proc p WHERE p.proname = 'json_extract_path_text'").fetchone()
        assert variadic == (1043, [1043, 1015], ["i", "v"], "character varying, VARIADIC character varying[]")
        assert conn.execute("SELECT provolatile FROM pg_proc WHERE proname = 'random'").fetchone() == ("v",)
        types = dict(conn.execute("SELECT typname, typtype FROM pg_type WHERE oid IN (2276, 2283, 2277)").fetchall())
        assert types == {"any": "p", "anyelement": "p", "anyarray": "p"}
        assert conn.execute("SELECT format_type(2276, NULL)").fetchone() == ('"any"',)
        routines = conn.execute("SELECT count(*) FROM information_schema.routines").fetchone()[0]
        assert routines == len(pgfunctions.functions("redshift"))
        parameters = conn.execute("SELECT p.ordinal_position, p.data_type FROM information_schema.parameters p "
                                  "JOIN information_schema.routines r USING (specific_name) "
                                  "WHERE r.routine_name = 'split_part' ORDER BY 1").fetchall()
        assert parameters == [(1, "character varying"), (2, "character varying"), (3, "integer")]


def test_reg_casts_vectors_and_column_labels_as_postgresql(server):
    """Each expectation is what PostgreSQL 15 answers to the same query (its catalog differs, the
    shapes do not): regtype/regclass values are OIDs that print as names, a subscript is labelled
    with its column, nested casts with the outermost type, int2vector/oidvector print space-separated
    and travel in binary as arrays counted from 0."""
    psycopg = need_module("psycopg")
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        cursor = conn.execute("SELECT 'int4'::regtype, 'pg_class'::regclass, 23::regtype, 0::regtype, "
                              "'\"any\"'::regtype, 'int4'::regtype::oid, 'integer'::regtype::text AS y, "
                              "'type: ' || 23::regtype AS c")
        assert [c.name for c in cursor.description] == ["regtype", "regclass", "regtype", "regtype", "regtype",
                                                         "oid", "y", "c"]
        assert cursor.fetchone() == ("integer", "pg_class", "integer", "-", '"any"', 23, "integer", "type: integer")
        for where in ("oid = 23::regtype", "oid = 'int4'::regtype", "oid = 'int4'::regtype::oid"):
            assert conn.execute(f"SELECT typname FROM pg_type WHERE {where}").fetchall() == [("int4",)]
        assert conn.execute("SELECT typname FROM pg_type WHERE oid::regtype IN ('integer', 'text') "
                            "ORDER BY 1").fetchall() == [("int4",), ("text",)]
        assert conn.execute("SELECT r FROM (SELECT 23::regtype AS r) s").fetchall() == [("integer",)]
        assert conn.execute("SELECT relname FROM pg_class WHERE oid = 'pg_class'::regclass").fetchall() == \
            [("pg_class",)]
        cursor = conn.execute("SELECT proargtypes[0], (proargtypes)[1], proargtypes::text, 1::int::text "
                              "FROM pg_proc WHERE proname = 'nvl2'")
        assert [c.name for c in cursor.description] == ["proargtypes", "proargtypes", "proargtypes", "text"]
        assert cursor.fetchone() == (2276, 2283, "2276 2283 2283", "1")
        query = ("SELECT i.indkey, i.indclass, i.indoption, i.indcollation, i.indkey[0] FROM pg_index i "
                 "JOIN pg_class c ON c.oid = i.indrelid WHERE c.relname = 'items'")
        cursor = conn.execute(query)
        assert [c.type_code for c in cursor.description] == [22, 30, 22, 30, 21]
        assert cursor.fetchall() == [("1", "0", "0", "0", 1)]
        binary = conn.cursor(binary=True)
        binary.execute(query)
        header = struct.pack("!iiIii", 1, 0, 21, 1, 0)  # one dimension of one element, counted from 0
        assert binary.fetchone()[:2] == (header + struct.pack("!ih", 2, 1),
                                         struct.pack("!iiIii", 1, 0, 26, 1, 0) + struct.pack("!iI", 4, 0))
        assert conn.execute("SELECT format_type(22, NULL), format_type(30, NULL), typelem FROM pg_type "
                            "WHERE oid = 22").fetchone() == ("int2vector", "oidvector", 21)


# --------------------------------------------------------------------------- pgJDBC


def test_pgjdbc_get_functions(server, athena, tmp_path):
    java = need_binary("java")
    javac = need_binary("javac")
    jar = next((c for c in ("/usr/share/java/postgresql.jar", "/usr/share/java/postgresql-jdbc4.jar")
                if Path(c).exists()), None)
    need(jar is not None, "pgJDBC (Debian's libpostgresql-jdbc-java)")
    build = subprocess.run([javac, "-d", str(tmp_path), str(CLIENTS / "JdbcFunctions.java")], capture_output=True,
                           text=True, timeout=120)
    assert build.returncode == 0, build.stderr

    def probe(running, pattern):
        run = subprocess.run([java, "-cp", f"{tmp_path}:{jar}", "JdbcFunctions",
                              f"jdbc:postgresql://127.0.0.1:{running.port}/dev", running.user, running.password,
                              "pg_catalog", pattern], capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stdout + run.stderr
        return dict(line.split("=", 1) for line in run.stdout.splitlines() if "=" in line)

    lines = probe(server, "upper")
    assert lines["functions"] == "[pg_catalog.upper:1:supported: DuckDB]"
    assert lines["functioncolumns"] == "[upper:returnValue:4:varchar, upper:$1:1:varchar]"
    assert lines["procedures"] == "[]"  # PostgreSQL 11+: procedures are prokind 'p', and there are none
    assert lines["procedurecolumns"] == "[upper:returnValue:5:varchar, upper:$1:1:varchar]"
    plain = sum(1 for f in pgfunctions.functions("redshift") if f.kind == "f")
    assert lines["allfunctions"] == str(plain)  # getFunctions lists prokind 'f' only, as against PostgreSQL
    lines = probe(athena, "concat_ws")
    assert lines["functioncolumns"] == "[concat_ws:returnValue:4:varchar, concat_ws:$1:1:varchar, " \
                                       "concat_ws:$2:1:_varchar]"


# --------------------------------------------------------------------------- the families are what is read


def test_declarations_are_read_from_every_family_module():
    import lakebox.dialects as package

    modules = [info.name for info in pkgutil.iter_modules(package.__path__)
               if isinstance(getattr(importlib.import_module(f"lakebox.dialects.{info.name}"), "FUNCTIONS", None),
                             dict)]
    assert "strings" in modules and "redshift_strings" in modules
    assert pgfunctions._declared_functions("redshift")["upper"][0] == "supported"
    assert pgfunctions._declared_functions("athena")["normalize"][0] == "partial"
