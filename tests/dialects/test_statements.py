"""Unit tests: the statements lakebox parses itself, and sqlglot's errors turned into ours."""

import pytest
from sqlglot import exp

from lakebox import errors
from lakebox.dialects import statements as st


def parse(sql, dialect="athena"):
    return st.parse_statement(sql, dialect)


def test_show_variants():
    assert parse("SHOW DATABASES") == st.Show("databases")
    assert parse("show schemas like 'a*'") == st.Show("databases", like="a*")
    shown = parse("SHOW TABLES IN sales 'ord*'")
    assert (shown.kind, shown.database, shown.like) == ("tables", "sales", "ord*")
    assert parse("SHOW PARTITIONS db.t").target.sql() == "db.t"
    columns = parse("SHOW COLUMNS FROM t IN db")
    assert columns.kind == "columns" and columns.target.sql() == "db.t"
    assert parse("SHOW CREATE TABLE t").kind == "create_table"
    assert parse("SHOW CREATE VIEW v").kind == "create_view"
    with pytest.raises(errors.ProgrammingError, match="SHOW FUNCTIONS"):
        parse("SHOW FUNCTIONS")


def test_partition_ddl():
    add = parse("ALTER TABLE db.t ADD IF NOT EXISTS PARTITION (dt='2024-01-01', h=3) "
                "LOCATION 's3://b/x/' PARTITION (dt='2024-01-02', h=4)")
    assert add.if_not_exists
    assert add.partitions == [({"dt": "2024-01-01", "h": "3"}, "s3://b/x/"), ({"dt": "2024-01-02", "h": "4"}, None)]
    assert isinstance(parse("MSCK REPAIR TABLE db.t"), st.MsckRepair)
    with pytest.raises(errors.ParseError, match="expected '='"):
        parse("ALTER TABLE t ADD PARTITION (dt '1')")


def test_external_schema():
    schema = parse("CREATE EXTERNAL SCHEMA IF NOT EXISTS spectrum FROM DATA CATALOG DATABASE 'Sales' "
                   "IAM_ROLE 'arn:aws:iam::1:role/r' REGION 'us-east-1' CREATE EXTERNAL DATABASE IF NOT EXISTS",
                   "redshift")
    assert schema == st.CreateExternalSchema("spectrum", "sales", "arn:aws:iam::1:role/r", True, True)
    with pytest.raises(errors.ProgrammingError, match="FROM POSTGRES"):
        parse("CREATE EXTERNAL SCHEMA s FROM POSTGRES DATABASE 'x'", "redshift")


def test_transactions_and_explain():
    assert parse("BEGIN", "redshift") == st.TransactionControl("begin")
    assert parse("START TRANSACTION", "redshift") == st.TransactionControl("begin")
    assert parse("END TRANSACTION", "redshift") == st.TransactionControl("commit")
    assert parse("ABORT", "redshift") == st.TransactionControl("rollback")
    assert parse("EXPLAIN ANALYZE SELECT 1") == st.Explain("SELECT 1", True)


def test_queries_go_to_sqlglot_and_interleaved_is_remembered():
    assert isinstance(parse("-- comment\n(SELECT 1)"), exp.Subquery)
    create = parse("CREATE TABLE t (a INT) INTERLEAVED SORTKEY (a)", "redshift")
    assert st.is_interleaved(create)


def test_errors():
    with pytest.raises(errors.ParseError) as info:
        parse("SELECT a,\n  b FROM t WHERE (")
    assert (info.value.line, info.value.column) == (2, 18)
    with pytest.raises(errors.ProgrammingError, match="one statement at a time"):
        parse("SELECT 1; SELECT 2")
    with pytest.raises(errors.ProgrammingError, match="empty"):
        parse("  ;  ")
    with pytest.raises(errors.ProgrammingError, match="unknown dialect"):
        parse("SELECT 1", "mysql")
