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
    with pytest.raises(errors.NotSupportedError, match="SHOW FUNCTIONS"):
        parse("SHOW FUNCTIONS")


def test_partition_ddl():
    add = parse("ALTER TABLE db.t ADD IF NOT EXISTS PARTITION (dt='2024-01-01', h=3) "
                "LOCATION 's3://b/x/' PARTITION (dt='2024-01-02', h=4)")
    assert add.if_not_exists
    assert add.partitions == [({"dt": "2024-01-01", "h": "3"}, "s3://b/x/"), ({"dt": "2024-01-02", "h": "4"}, None)]
    assert isinstance(parse("MSCK REPAIR TABLE db.t"), st.MsckRepair)
    with pytest.raises(errors.ParseError, match="expected '='"):
        parse("ALTER TABLE t ADD PARTITION (dt '1')")
    rename = parse("ALTER TABLE db.t PARTITION (dt='2024-01-01') RENAME TO PARTITION (dt='2024-01-02')")
    assert (rename.table.sql(), rename.old, rename.new) == ("db.t", {"dt": "2024-01-01"}, {"dt": "2024-01-02"})
    properties = parse("ALTER SCHEMA jd SET DBPROPERTIES ('creator'='Jane Doe', 'x'='y')")
    assert properties == st.AlterDatabaseProperties("jd", {"creator": "Jane Doe", "x": "y"})


def test_external_schema():
    schema = parse("CREATE EXTERNAL SCHEMA IF NOT EXISTS spectrum FROM DATA CATALOG DATABASE 'Sales' "
                   "IAM_ROLE 'arn:aws:iam::1:role/r' REGION 'us-east-1' CREATE EXTERNAL DATABASE IF NOT EXISTS",
                   "redshift")
    assert schema == st.CreateExternalSchema("spectrum", "sales", "arn:aws:iam::1:role/r", True, True)
    with pytest.raises(errors.NotSupportedError, match="FROM POSTGRES"):
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


@pytest.mark.parametrize("sql, dialect, label", [
    ("UNLOAD (SELECT 1) TO 's3://b/x/' WITH (format = 'PARQUET')", "athena", "UNLOAD"),
    ("CREATE USER bob PASSWORD 'Abcdefg1'", "redshift", "CREATE USER"),
    ("create or replace external function f(int) returns int", "redshift", "CREATE EXTERNAL FUNCTION"),
    ("ANALYZE COMPRESSION t", "redshift", "ANALYZE COMPRESSION"),
    ("VACUUM t", "athena", "VACUUM"),
    ("SET datestyle TO ISO", "redshift", "SET DATESTYLE"),
    ("ALTER TABLE s.t OWNER TO bob", "redshift", "ALTER TABLE ... OWNER TO"),
    ("CREATE PROCEDURE p() AS $$ BEGIN NULL; END; $$ LANGUAGE plpgsql", "redshift", "CREATE PROCEDURE"),
])
def test_statements_lakebox_does_not_run_are_named(sql, dialect, label, tmp_path):
    import lakebox

    assert st.statement_label(sql, dialect) == label
    with lakebox.connect(tmp_path, dialect=dialect) as connection:
        with pytest.raises(errors.NotSupportedError, match=f"^{label.replace('.', '[.]')} is not supported by lakebox"):
            connection.cursor().execute(sql)


def test_dollar_quoted_bodies_keep_their_semicolons():
    # one statement, not three: the body's semicolons are inside the $$ ... $$ string
    create = parse("CREATE PROCEDURE p() AS $$ BEGIN x := 1; y := 2; END; $$ LANGUAGE plpgsql", "redshift")
    assert isinstance(create, exp.Create) and create.args["kind"].upper() == "PROCEDURE"


def test_redshift_show_forms():
    tables = parse("SHOW TABLES FROM SCHEMA dev.public LIKE 'cat%' LIMIT 5", "redshift")
    assert (tables.kind, tables.database, tables.target.args["db"].name, tables.like, tables.limit) == \
        ("redshift_tables", "dev", "public", "cat%", 5)
    assert parse("SHOW SCHEMAS FROM DATABASE dev", "redshift") == st.Show("redshift_schemas", database="dev")
    columns = parse("SHOW COLUMNS FROM TABLE dev.public.category", "redshift")
    assert (columns.kind, columns.target.sql()) == ("redshift_columns", "dev.public.category")
    assert parse("SHOW TABLES", "redshift").kind == "tables"  # lakebox's Athena-style form runs too
    with pytest.raises(errors.NotSupportedError, match="SHOW DATABASES is not supported"):
        parse("SHOW DATABASES", "redshift")
