"""Redshift's per-session state through the DB-API: temporary tables and the search path."""

import pytest

import lakebox
from lakebox import errors


@pytest.fixture
def two(home):
    """Two connections on one home, as two Redshift sessions."""
    a, b = lakebox.connect(home, dialect="redshift"), lakebox.connect(home, dialect="redshift")
    yield a.cursor(), b.cursor()
    a.close()
    b.close()


def rows(cur, sql):
    cur.execute(sql)
    return cur.fetchall()


# -- temporary tables ------------------------------------------------------------------------------


def test_temp_table_is_the_sessions_alone(two):
    a, b = two
    a.execute("CREATE TEMP TABLE scratch (x INT)")
    a.execute("INSERT INTO scratch VALUES (1), (2)")
    assert rows(a, "SELECT sum(x) FROM scratch") == [(3,)]
    with pytest.raises(errors.ProgrammingError, match="scratch"):
        b.execute("SELECT * FROM scratch")
    b.execute("CREATE TEMP TABLE scratch (y VARCHAR(5))")  # each session has its own
    b.execute("INSERT INTO scratch VALUES ('b')")
    assert rows(b, "SELECT * FROM scratch") == [("b",)]
    assert rows(a, "SELECT sum(x) FROM scratch") == [(3,)]
    assert rows(a, "SHOW TABLES") == []  # not in the catalog


def test_temp_table_shadows_permanent_and_goes_at_session_end(home, two):
    a, b = two
    a.execute("CREATE TABLE t (x INT)")
    a.execute("INSERT INTO t VALUES (1)")
    a.execute("CREATE TEMPORARY TABLE t (x INT) DISTKEY (x) SORTKEY (x)")
    a.execute("INSERT INTO t VALUES (10)")
    assert rows(a, "SELECT x FROM t") == [(10,)]
    assert rows(a, "SELECT x FROM public.t") == [(1,)]
    assert rows(a, "SELECT x FROM pg_temp.t") == [(10,)]
    assert rows(b, "SELECT x FROM t") == [(1,)]
    props = dict(rows(a, "SHOW TBLPROPERTIES t"))
    assert props["distkey"] == "x" and props["sortkey"] == "x"
    a.connection.close()
    c = lakebox.connect(home, dialect="redshift")
    try:
        assert rows(c.cursor(), "SELECT x FROM t") == [(1,)]
        with pytest.raises(errors.ProgrammingError):
            c.cursor().execute("SELECT x FROM pg_temp.t")
    finally:
        c.close()


def test_temp_forms_and_statements(two):
    a, _ = two
    a.execute("CREATE TABLE base (k INT, v VARCHAR(10))")
    a.execute("INSERT INTO base VALUES (1, 'one'), (2, 'two')")
    a.execute("CREATE TABLE #h (z INT)")
    a.execute("INSERT INTO #h SELECT k FROM base")
    assert rows(a, "SELECT #h.z FROM #h ORDER BY 1") == [(1,), (2,)]
    a.execute("SELECT k INTO TEMP picked FROM base WHERE k = 2")
    a.execute("CREATE LOCAL TEMP TABLE doubled AS SELECT k * 2 AS d FROM base")
    assert rows(a, "SELECT (SELECT k FROM picked), (SELECT sum(d) FROM doubled)") == [(2, 6)]
    a.execute("UPDATE picked SET k = 3")
    a.execute("DELETE FROM doubled WHERE d = 2")
    a.execute("ALTER TABLE doubled ADD COLUMN note VARCHAR(4)")
    a.execute("ALTER TABLE doubled RENAME TO doubled2")
    assert rows(a, "SELECT * FROM doubled2") == [(4, None)]
    a.execute("TRUNCATE picked")
    assert rows(a, "SELECT count(*) FROM picked") == [(0,)]
    names = [r[2] for r in rows(a, "SHOW TABLES FROM SCHEMA pg_temp")]
    assert sorted(names) == ["#h", "doubled2", "picked"]
    a.execute("DROP TABLE #h, picked")
    a.execute("DROP TABLE IF EXISTS picked")
    with pytest.raises(errors.ProgrammingError, match="did you mean 'doubled2'"):
        a.execute("SELECT * FROM doubled")
    with pytest.raises(errors.NotSupportedError, match="without a schema"):
        a.execute("CREATE TEMP TABLE public.x (a INT)")
    with pytest.raises(errors.NotSupportedError, match="temporary table"):
        a.execute("CREATE VIEW v AS SELECT * FROM doubled2")
    with pytest.raises(errors.ProgrammingError, match="already exists"):
        a.execute("CREATE TEMP TABLE doubled2 (a INT)")
    a.execute("CREATE TEMP TABLE IF NOT EXISTS doubled2 (a INT)")


def test_views_do_not_see_temp_tables(two):
    a, _ = two
    a.execute("CREATE TABLE t (x INT)")
    a.execute("INSERT INTO t VALUES (1)")
    a.execute("CREATE VIEW v AS SELECT x FROM t")
    a.execute("CREATE TEMP TABLE t (x INT)")
    assert rows(a, "SELECT count(*) FROM t") == [(0,)]
    assert rows(a, "SELECT x FROM v") == [(1,)]


def test_temp_tables_follow_transactions(two):
    a, _ = two
    a.execute("CREATE TEMP TABLE kept (x INT)")
    a.execute("BEGIN")
    a.execute("CREATE TEMP TABLE gone (x INT)")
    a.execute("DROP TABLE kept")
    a.execute("ROLLBACK")
    assert rows(a, "SELECT count(*) FROM kept") == [(0,)]
    with pytest.raises(errors.ProgrammingError, match="gone"):
        a.execute("SELECT * FROM gone")
    a.execute("BEGIN")
    a.execute("CREATE TEMP TABLE made (x INT)")
    a.execute("COMMIT")
    assert rows(a, "SELECT count(*) FROM made") == [(0,)]


def test_plan_cache_sees_a_new_temp_table(two):
    a, _ = two
    a.execute("CREATE TABLE t (x INT)")
    a.execute("INSERT INTO t VALUES (1)")
    assert rows(a, "SELECT count(*) FROM t") == [(1,)]
    a.execute("CREATE TEMP TABLE t (x INT)")
    assert rows(a, "SELECT count(*) FROM t") == [(0,)]
    a.execute("DROP TABLE t")
    assert rows(a, "SELECT count(*) FROM t") == [(1,)]


# -- search_path -----------------------------------------------------------------------------------


def test_search_path_searches_every_schema_in_order(two):
    a, b = two
    a.execute("CREATE SCHEMA enterprise")
    a.execute("CREATE TABLE enterprise.frontier (c1 INT)")
    a.execute("INSERT INTO enterprise.frontier VALUES (1)")
    a.execute("CREATE TABLE enterprise.only_here (c1 INT)")
    a.execute("SET search_path TO '$user', public, enterprise")
    assert rows(a, "SHOW search_path") == [('"$user", public, enterprise',)]
    assert rows(a, "SELECT c1 FROM frontier") == [(1,)]
    a.execute("CREATE TABLE public.frontier (c1 INT)")  # the example of r_search_path: public comes first
    assert rows(a, "SELECT c1 FROM frontier") == []
    assert rows(a, "SELECT c1 FROM enterprise.frontier") == [(1,)]
    a.execute("CREATE TABLE made (k INT)")  # the first schema of the path that exists
    assert rows(a, "SELECT count(*) FROM public.made") == [(0,)]
    a.execute("CREATE VIEW ev AS SELECT c1 FROM only_here")  # resolves later as it did now
    a.execute("RESET search_path")
    assert rows(a, "SHOW search_path") == [('"$user", public',)]
    assert rows(a, "SELECT count(*) FROM ev") == [(0,)]
    with pytest.raises(errors.ProgrammingError, match="only_here"):
        a.execute("SELECT * FROM only_here")
    assert rows(b, "SHOW search_path") == [('"$user", public',)]  # per session
    a.execute("SET search_path TO enterprise")
    assert rows(a, "SHOW search_path") == [("enterprise",)]
    with pytest.raises(errors.ProgrammingError, match="did you mean 'frontier'"):
        a.execute("SELECT * FROM fronteir")


def test_search_path_with_pg_temp_later(two):
    a, _ = two
    a.execute("CREATE TABLE t (x INT)")
    a.execute("INSERT INTO t VALUES (1)")
    a.execute("CREATE TEMP TABLE t (x INT)")
    a.execute("SET search_path TO public, pg_temp")
    assert rows(a, "SELECT count(*) FROM t") == [(1,)]
    a.execute("SET search_path TO nosuch, public")
    assert rows(a, "SELECT count(*) FROM t") == [(0,)]
