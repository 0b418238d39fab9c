"""Redshift math rules: SQL in, DuckDB SQL out (documented examples run in tests/conformance/redshift/math.yaml)."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

import lakebox
from lakebox import errors
from lakebox.dialects import redshift_math as rm
from lakebox.dialects.redshift_parser import LakeboxRedshift

SCHEMA = {"t": {"x": "DOUBLE"}}


def rewrite(sql: str) -> str:
    expression = qualify(sqlglot.parse_one(sql, read=LakeboxRedshift), schema=SCHEMA, dialect="redshift",
                         quote_identifiers=False)
    annotate_types(expression, schema=SCHEMA, dialect="redshift")
    return rm.redshift_math(expression, "redshift").sql("duckdb")


@pytest.mark.parametrize("sql, expected", [
    ("SELECT SQRT(x) AS v FROM t", "SELECT LAKEBOX_RS_SQRT(t.x) AS v FROM t AS t"),
    ("SELECT LOG(x) AS v FROM t", "SELECT LAKEBOX_RS_LOG10(t.x) AS v FROM t AS t"),
    ("SELECT DLOG1(x) AS v FROM t", "SELECT LAKEBOX_RS_LN(t.x) AS v FROM t AS t"),
    ("SELECT DEXP(x) AS v FROM t", "SELECT EXP(t.x) AS v FROM t AS t"),
    ("SELECT CBRT(x) AS v FROM t", "SELECT LAKEBOX_RS_CBRT(t.x) AS v FROM t AS t"),
    ("SELECT ABS(x) AS v FROM t", "SELECT ABS(t.x) AS v FROM t AS t"),
])
def test_rewrites(sql, expected):
    assert rewrite(sql) == expected


def test_checksum_is_refused():
    with pytest.raises(errors.NotSupportedError, match="CHECKSUM"):
        rewrite("SELECT CHECKSUM(x) FROM t")


def test_cubes_are_exact(tmp_path):
    connection = lakebox.connect(tmp_path, dialect="redshift")
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT COUNT(*) FROM (SELECT ROW_NUMBER() OVER (ORDER BY 1) AS n FROM "
                       "(SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) a, (SELECT 1 UNION ALL SELECT 2 UNION ALL "
                       "SELECT 3) b, (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) c) k WHERE CBRT(n * n * n) <> n")
        assert cursor.fetchall() == [(0,)]
    finally:
        connection.close()
