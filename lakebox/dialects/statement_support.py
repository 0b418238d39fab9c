"""Which statements of each service lakebox runs: the statements half of docs/compatibility.md.

Not a rule family (no RULES). `scripts/compatibility.py` renders `STATEMENTS`, one entry per statement
family of the service's SQL reference: `name: (status, how, documentation page)`, in the order of the
table. Each entry is held to account by `tests/test_compatibility_doc.py`: a "supported" or "partial"
family needs a conformance case in `tests/conformance/<dialect>/statements.yaml` that runs it, and a
"not supported" one a case that sees lakebox's NotSupportedError naming it.
"""

from __future__ import annotations

ATHENA = "https://docs.aws.amazon.com/athena/latest/ug/"
REDSHIFT = "https://docs.aws.amazon.com/redshift/latest/dg/"
S, P, N = "supported", "partial", "not supported"

_ATHENA = {
    # -- databases -----------------------------------------------------------------------------
    "CREATE DATABASE": (S, "also CREATE SCHEMA; IF NOT EXISTS, COMMENT, LOCATION, WITH DBPROPERTIES",
                        "create-database.html"),
    "DROP DATABASE": (S, "IF EXISTS, RESTRICT (the default) and CASCADE", "drop-database.html"),
    "ALTER DATABASE SET DBPROPERTIES": (S, "", "alter-database-set-dbproperties.html"),
    # -- tables over files ---------------------------------------------------------------------
    "CREATE EXTERNAL TABLE": (S, "IF NOT EXISTS, column COMMENTs, COMMENT, PARTITIONED BY, LOCATION, TBLPROPERTIES "
                                 "(skip.header.line.count is honoured); the file formats are the rows below",
                              "create-table.html"),
    "CREATE EXTERNAL TABLE ... STORED AS PARQUET": (S, "Parquet SerDe: columns by name, missing ones NULL",
                                                    "parquet-serde.html"),
    "CREATE EXTERNAL TABLE ... STORED AS ORC": (S, "ORC SerDe, read with pyarrow", "orc-serde.html"),
    "CREATE EXTERNAL TABLE ... STORED AS TEXTFILE / ROW FORMAT DELIMITED": (
        S, "LazySimpleSerDe: FIELDS / COLLECTION ITEMS / MAP KEYS TERMINATED BY, ESCAPED BY, NULL DEFINED AS "
           "(default \\N); a value that does not parse is NULL", "lazy-simple-serde.html"),
    "ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'": (
        S, "separatorChar, quoteChar, escapeChar", "csv-serde.html"),
    "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' / 'org.apache.hive.hcatalog.data.JsonSerDe'": (
        S, "one JSON object per line; keys matched case-insensitively", "json-serde.html"),
    "STORED AS INPUTFORMAT ... OUTPUTFORMAT ...": (S, "the Parquet, ORC and text input formats", "create-table.html"),
    "CREATE EXTERNAL TABLE ... STORED AS AVRO / Avro SerDe": (N, "NotSupportedError at CREATE", "avro-serde.html"),
    "CREATE EXTERNAL TABLE ... STORED AS ION / Amazon Ion Hive SerDe": (N, "NotSupportedError at CREATE",
                                                                       "ion-serde.html"),
    "CREATE EXTERNAL TABLE ... STORED AS SEQUENCEFILE": (N, "NotSupportedError at CREATE", "create-table.html"),
    "CREATE EXTERNAL TABLE ... STORED AS RCFILE": (N, "NotSupportedError at CREATE", "create-table.html"),
    "ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'": (N, "NotSupportedError at CREATE",
                                                                    "regex-serde.html"),
    "ROW FORMAT SERDE 'com.amazonaws.glue.serde.GrokSerDe'": (N, "NotSupportedError at CREATE", "grok-serde.html"),
    "TBLPROPERTIES ('projection.enabled'='true') (partition projection)": (
        N, "NotSupportedError at CREATE: partitions come from the catalog only", "partition-projection.html"),
    "CREATE TABLE AS (CTAS)": (
        P, "IF NOT EXISTS, WITH NO DATA; format PARQUET (default), ORC, TEXTFILE (field_delimiter, default \\001), "
           "JSON; external_location (refused unless empty, HIVE_PATH_ALREADY_EXISTS), else "
           "$LAKEBOX_ATHENA_OUTPUT_LOCATION/tables/<id>/ (default s3://lakebox-athena-query-results/); partitioned_by "
           "(the last columns, at most 100 partitions); write_compression; an EXTERNAL_TABLE with its partitions in "
           "one catalog change. Differs: string columns are typed string, not varchar(n); no array, map or struct "
           "columns in TEXTFILE", "create-table-as.html"),
    "CTAS WITH (bucketed_by, bucket_count) / format = 'AVRO' | 'ION'": (
        N, "NotSupportedError naming the property or format; so are Iceberg CTAS (table_type, location) and "
           "the other properties", "create-table-as.html"),
    "CREATE TABLE (Iceberg)": (N, "NotSupportedError", "querying-iceberg-creating-tables.html"),
    "DROP TABLE": (S, "IF EXISTS; the files stay, as in Athena", "drop-table.html"),
    # -- partitions and columns ----------------------------------------------------------------
    "MSCK REPAIR TABLE": (S, "registers the Hive-style key=value folders; reads no data", "msck-repair-table.html"),
    "ALTER TABLE ADD PARTITION": (S, "IF NOT EXISTS, several partitions, LOCATION", "alter-table-add-partition.html"),
    "ALTER TABLE DROP PARTITION": (S, "IF EXISTS, several partitions", "alter-table-drop-partition.html"),
    "ALTER TABLE RENAME PARTITION": (S, "new values, same files", "alter-table-rename-partition.html"),
    "ALTER TABLE SET LOCATION": (S, "of the table or of one partition", "alter-table-set-location.html"),
    "ALTER TABLE SET TBLPROPERTIES": (S, "", "alter-table-set-tblproperties.html"),
    "ALTER TABLE ADD COLUMNS": (S, "", "alter-table-add-columns.html"),
    "ALTER TABLE REPLACE COLUMNS": (S, "", "alter-table-replace-columns.html"),
    "ALTER TABLE CHANGE COLUMN": (S, "rename, retype, COMMENT", "alter-table-change-column.html"),
    "ALTER TABLE RENAME TO": (N, "NotSupportedError, as in Athena for Hive tables", "unsupported-ddl.html"),
    "ALTER TABLE SET SERDEPROPERTIES": (N, "NotSupportedError, as in Athena", "unsupported-ddl.html"),
    # -- views ---------------------------------------------------------------------------------
    "CREATE VIEW": (S, "OR REPLACE; bound at creation as in Athena", "create-view.html"),
    "DROP VIEW": (S, "IF EXISTS", "drop-view.html"),
    "ALTER VIEW DIALECT": (N, "NotSupportedError (Lambda-backed hybrid views)", "alter-view-dialect.html"),
    # -- SHOW and DESCRIBE ---------------------------------------------------------------------
    "SHOW DATABASES / SHOW SCHEMAS": (S, "LIKE patterns with * and |", "show-databases.html"),
    "SHOW TABLES": (S, "IN database, patterns with * and |", "show-tables.html"),
    "SHOW VIEWS": (S, "IN database", "show-views.html"),
    "SHOW COLUMNS": (S, "IN / FROM, the partition keys last", "show-columns.html"),
    "SHOW PARTITIONS": (S, "key=value/... per partition", "show-partitions.html"),
    "SHOW CREATE TABLE": (P, "Hive DDL in Athena's layout, rebuilt from the catalog; spacing and property order "
                             "are not checked against the service's", "show-create-table.html"),
    "SHOW CREATE VIEW": (P, "CREATE VIEW name AS the stored query text (as lakebox printed it)", "show-create-view.html"),
    "SHOW TBLPROPERTIES": (S, "all properties, or one: SHOW TBLPROPERTIES t('name')", "show-tblproperties.html"),
    "DESCRIBE": (P, "columns, types, comments and the partition keys; DESCRIBE EXTENDED / FORMATTED print the same "
                    "(not Athena's detailed table information); DESCRIBE table column raises NotSupportedError",
                 "describe-table.html"),
    "DESCRIBE VIEW": (S, "the view's columns", "describe-view.html"),
    # -- queries ---------------------------------------------------------------------------------
    "SELECT": (S, "joins, subqueries, DISTINCT, HAVING, ORDER BY (NULLS LAST), OFFSET, LIMIT, FETCH FIRST; the "
                  "functions are in the table below", "select.html"),
    "SELECT ... WITH (common table expressions)": (S, "also WITH RECURSIVE", "select.html"),
    "GROUP BY GROUPING SETS / CUBE / ROLLUP": (S, "and grouping()", "select.html"),
    "window functions (OVER, frames)": (S, "see the aggregates rows below", "select.html"),
    "UNNEST": (S, "arrays, maps, arrays of rows, WITH ORDINALITY, CROSS JOIN UNNEST", "select.html"),
    "UNION / INTERSECT / EXCEPT": (S, "ALL and DISTINCT", "select.html"),
    "TABLESAMPLE BERNOULLI / SYSTEM": (P, "a random sample of about the percentage asked, as in Athena; the rows "
                                          "drawn differ (SYSTEM samples DuckDB's row groups, not splits)",
                                       "select.html"),
    "VALUES": (S, "top level and in FROM; top-level columns are _col0, _col1, ...", "values-statement.html"),
    "EXPLAIN / EXPLAIN ANALYZE": (P, "lakebox's scans (files, pruned partitions) then DuckDB's plan, not Trino's; "
                                     "the (TYPE ...) and (FORMAT ...) options raise NotSupportedError",
                                  "athena-explain-statement.html"),
    "PREPARE / EXECUTE / DEALLOCATE PREPARE": (N, "NotSupportedError; use the DB-API's parameters",
                                               "sql-prepare.html"),
    # -- writing -----------------------------------------------------------------------------------
    "INSERT INTO": (P, "SELECT or VALUES, column lists (other columns NULL), by position with Trino's implicit "
                       "coercions, into external tables stored as Parquet, ORC, JSON and text (LazySimpleSerDe, "
                       "OpenCSVSerde): new uniquely named files, partitions created and registered as needed; the row "
                       "count is the cursor's rowcount. Differs: text values are written unescaped; a write inside "
                       "BEGIN ... ROLLBACK keeps its files", "insert-into.html"),
    "UNLOAD": (N, "NotSupportedError", "unload.html"),
    "DELETE (Iceberg)": (N, "NotSupportedError", "delete-statement.html"),
    "UPDATE (Iceberg)": (N, "NotSupportedError", "update-statement.html"),
    "MERGE INTO (Iceberg)": (N, "NotSupportedError", "merge-into-statement.html"),
    "OPTIMIZE (Iceberg)": (N, "NotSupportedError", "optimize-statement.html"),
    "VACUUM (Iceberg)": (N, "NotSupportedError", "vacuum-statement.html"),
}

_REDSHIFT = {
    # -- schemas and databases -------------------------------------------------------------------
    "CREATE SCHEMA": (S, "IF NOT EXISTS; AUTHORIZATION and QUOTA are not supported", "r_CREATE_SCHEMA.html"),
    "DROP SCHEMA": (S, "IF EXISTS, CASCADE; drops an external schema's mount, not its catalog database",
                    "r_DROP_SCHEMA.html"),
    "CREATE DATABASE": (P, "creates a namespace in lakebox's one catalog (used like a schema); there is no other "
                           "database to connect to", "r_CREATE_DATABASE.html"),
    "USE": (N, "NotSupportedError: lakebox has one database; choose a schema with SET search_path",
            "r_USE_command.html"),
    "SET search_path": (S, "an unqualified table or view name is looked up in every schema of the list in order "
                           "(the session's temporary tables first, or where pg_temp stands; '$user' is the user "
                           "connected to `lakebox serve`, skipped through the DB-API); new objects go to the first schema that exists; "
                           "SHOW search_path prints the list as set, RESET search_path restores '$user', public. "
                           "Unlike Redshift, external schemas in the list are searched too", "r_search_path.html"),
    "SET (other parameters) / RESET": (N, "NotSupportedError naming the parameter (RESET search_path runs)",
                                       "r_SET.html"),
    # -- tables --------------------------------------------------------------------------------------
    "CREATE TABLE": (S, "NOT NULL, DEFAULT; PRIMARY KEY, UNIQUE and REFERENCES are informational, as in Redshift",
                     "r_CREATE_TABLE_NEW.html"),
    "CREATE TABLE ... DISTSTYLE / DISTKEY / SORTKEY / ENCODE": (
        S, "recorded in the catalog; they never change a result, as in Redshift", "r_CREATE_TABLE_NEW.html"),
    "CREATE TABLE ... IDENTITY": (N, "NotSupportedError", "r_CREATE_TABLE_NEW.html"),
    "CREATE TABLE ... (LIKE parent)": (N, "NotSupportedError", "r_CREATE_TABLE_NEW.html"),
    "CREATE TEMP TABLE": (S, "also TEMPORARY, LOCAL TEMP, CREATE TABLE #name, ... AS SELECT and SELECT ... INTO "
                             "TEMP: the session's alone, in its temporary schema pg_temp_<n> (also called pg_temp), "
                             "dropped when the session ends, invisible to other connections, and found before a "
                             "permanent table of the same name; DISTKEY / SORTKEY recorded as for other tables. "
                             "(LIKE parent) is not supported (see above); a view over a temporary table raises "
                             "NotSupportedError", "r_CREATE_TABLE_NEW.html"),
    "CREATE TABLE AS (CTAS)": (S, "with DISTKEY / SORTKEY; column types from the query", "r_CREATE_TABLE_AS.html"),
    "SELECT INTO": (S, "as CREATE TABLE AS; INTO TEMP as CREATE TEMP TABLE", "r_SELECT_INTO.html"),
    "DROP TABLE": (S, "IF EXISTS, several tables, CASCADE", "r_DROP_TABLE.html"),
    "ALTER TABLE ADD COLUMN": (S, "with DEFAULT", "r_ALTER_TABLE.html"),
    "ALTER TABLE DROP COLUMN": (S, "", "r_ALTER_TABLE.html"),
    "ALTER TABLE RENAME COLUMN": (S, "", "r_ALTER_TABLE.html"),
    "ALTER TABLE RENAME TO": (S, "", "r_ALTER_TABLE.html"),
    "ALTER TABLE ALTER COLUMN TYPE": (S, "VARCHAR lengths only, as in Redshift", "r_ALTER_TABLE.html"),
    "ALTER TABLE ALTER DISTSTYLE / DISTKEY / SORTKEY": (S, "recorded; results never change", "r_ALTER_TABLE.html"),
    "ALTER TABLE ... OWNER TO / ADD CONSTRAINT / ALTER COLUMN ENCODE / APPEND": (
        N, "NotSupportedError naming the action", "r_ALTER_TABLE.html"),
    "TRUNCATE": (S, "local tables; commits the open transaction, as in Redshift", "r_TRUNCATE.html"),
    # -- Spectrum ------------------------------------------------------------------------------------
    "CREATE EXTERNAL SCHEMA": (P, "FROM DATA CATALOG (HIVE METASTORE is read as the same catalog), IF NOT EXISTS, "
                                  "CREATE EXTERNAL DATABASE IF NOT EXISTS; FROM POSTGRES / MYSQL / KINESIS / MSK / "
                                  "REDSHIFT are not supported", "r_CREATE_EXTERNAL_SCHEMA.html"),
    "CREATE EXTERNAL TABLE": (S, "Hive DDL as in Athena (same catalog, same file formats)",
                              "r_CREATE_EXTERNAL_TABLE.html"),
    "ALTER TABLE (external) ADD / DROP PARTITION": (S, "", "r_ALTER_TABLE.html"),
    # -- views -----------------------------------------------------------------------------------------
    "CREATE VIEW": (S, "OR REPLACE; bound at creation", "r_CREATE_VIEW.html"),
    "CREATE VIEW ... WITH NO SCHEMA BINDING": (S, "late binding: the tables may not exist yet",
                                               "r_CREATE_VIEW.html"),
    "DROP VIEW": (S, "IF EXISTS", "r_DROP_VIEW.html"),
    "CREATE MATERIALIZED VIEW / REFRESH MATERIALIZED VIEW": (N, "NotSupportedError",
                                                              "materialized-view-create-sql-command.html"),
    # -- changing data -----------------------------------------------------------------------------------
    "INSERT": (S, "VALUES (several rows), SELECT, DEFAULT VALUES, column lists", "r_INSERT_30.html"),
    "UPDATE": (S, "with FROM", "r_UPDATE.html"),
    "DELETE": (S, "with USING", "r_DELETE.html"),
    "MERGE": (P, "WHEN MATCHED THEN UPDATE / DELETE, WHEN NOT MATCHED THEN INSERT; REMOVE DUPLICATES is not "
                 "supported", "r_MERGE.html"),
    "COPY": (P, "from every object whose key starts with the FROM prefix (or a MANIFEST's entries), through "
                "lakebox's S3 (the local stand-in or real S3); pipe-delimited text (DELIMITER), CSV (QUOTE), JSON "
                "'auto' / 'auto ignorecase', Parquet and ORC (by position); IGNOREHEADER, NULL AS, EMPTYASNULL, "
                "BLANKSASNULL, DATEFORMAT / TIMEFORMAT ('auto', a pattern, epochsecs / epochmillisecs), "
                "TRUNCATECOLUMNS (by characters, not bytes), FILLRECORD, IGNOREBLANKLINES, MAXERROR (bad rows "
                "skipped), NOLOAD, GZIP / ZSTD, column lists; credentials, REGION, COMPUPDATE / STATUPDATE and "
                "ACCEPTINVCHARS are accepted and ignored. A bad row fails the whole load (Load into table 't' "
                "failed ... with the file, line and column) and nothing is inserted; there is no stl_load_errors "
                "table; the tag is COPY n. ESCAPE, REMOVEQUOTES, FIXEDWIDTH, AVRO, JSONPaths files, BZIP2, LZOP, "
                "ENCRYPTED and EXPLICIT_IDS raise NotSupportedError. Runs through the DB-API and CLI; the wire "
                "server (`lakebox serve`) still refuses COPY from files in its sandbox", "r_COPY.html"),
    "UNLOAD": (P, "the query runs with Redshift semantics and the rows go to <prefix>0000_part_00 (PARALLEL OFF: "
                  "<prefix>000; .parquet, .gz, .zst, EXTENSION as Redshift names them): pipe-delimited text "
                  "(DELIMITER, NULL AS, HEADER, booleans as t / f), CSV, JSON lines, Parquet; PARTITION BY (cols) "
                  "[INCLUDE] as col=value/ folders; MANIFEST [VERBOSE]; ALLOWOVERWRITE, CLEANPATH; an error if "
                  "objects already have the prefix, and for LIMIT in the outer SELECT, as in Redshift. One file per "
                  "partition: MAXFILESIZE and PARALLEL ON never split the output. ADDQUOTES, ESCAPE, FIXEDWIDTH, "
                  "ENCRYPTED, KMS_KEY_ID, BZIP2 and ROWGROUPSIZE raise NotSupportedError", "r_UNLOAD.html"),
    # -- transactions --------------------------------------------------------------------------------------
    "BEGIN / START TRANSACTION": (S, "", "r_BEGIN.html"),
    "COMMIT / END": (S, "", "r_COMMIT.html"),
    "ROLLBACK / ABORT": (S, "DML, DDL and catalog changes are all undone", "r_ROLLBACK.html"),
    # -- queries ---------------------------------------------------------------------------------------------
    "SELECT": (S, "joins, subqueries, DISTINCT, TOP, ORDER BY (NULLs as the largest value), LIMIT, OFFSET; the "
                  "functions are in the table below", "r_SELECT_synopsis.html"),
    "WITH clause": (S, "also WITH RECURSIVE", "r_WITH_clause.html"),
    "GROUP BY ROLLUP / CUBE / GROUPING SETS": (S, "", "r_GROUP_BY_aggregation-extensions.html"),
    "QUALIFY": (S, "", "r_QUALIFY_clause.html"),
    "UNION / INTERSECT / EXCEPT / MINUS": (P, "CHAR branches meet at the widest CHAR(n); VARCHAR values that differ "
                                              "only in trailing blanks stay apart (see string comparison)",
                                           "r_UNION.html"),
    "UNPIVOT": (S, "NULLs excluded unless INCLUDE NULLS", "r_FROM_clause-pivot-unpivot-examples.html"),
    "PIVOT": (N, "NotSupportedError", "r_FROM_clause-pivot-unpivot-examples.html"),
    "EXPLAIN": (P, "lakebox's scans then DuckDB's plan, not Redshift's; VERBOSE raises NotSupportedError",
                "r_EXPLAIN.html"),
    # -- SHOW ----------------------------------------------------------------------------------------------
    "SHOW TABLES FROM SCHEMA / SHOW SCHEMAS FROM DATABASE / SHOW COLUMNS FROM TABLE": (
        P, "the reference's columns, with LIKE (case-sensitive) and LIMIT; owners, ACLs, column defaults and "
           "nullability are NULL (lakebox keeps none of them); the owner, time and dist_style columns of newer "
           "releases are not shown; lakebox's one database answers to any name", "r_SHOW_TABLES.html"),
    "SHOW DATABASES": (N, "NotSupportedError", "r_SHOW_DATABASES.html"),
    "SHOW TABLE / SHOW VIEW": (N, "NotSupportedError", "r_SHOW_TABLE.html"),
    # -- maintenance ----------------------------------------------------------------------------------------
    "ANALYZE": (S, "checks the table and does nothing: lakebox keeps no statistics and no result depends on them",
                "r_ANALYZE.html"),
    "ANALYZE COMPRESSION": (N, "NotSupportedError", "r_ANALYZE_COMPRESSION.html"),
    "VACUUM": (S, "checks the table and does nothing (nothing to reclaim or sort); an error inside a transaction, "
                  "as in Redshift", "r_VACUUM_command.html"),
    # -- not for lakebox -------------------------------------------------------------------------------------
    "GRANT / REVOKE": (N, "NotSupportedError: lakebox has no users or privileges", "r_GRANT.html"),
    "CREATE USER / GROUP / ROLE, ALTER USER, DROP USER": (N, "NotSupportedError", "r_CREATE_USER.html"),
    "CREATE FUNCTION / CREATE PROCEDURE / CALL": (N, "NotSupportedError", "r_CREATE_FUNCTION.html"),
    "PREPARE / EXECUTE / DEALLOCATE": (N, "NotSupportedError; use the DB-API's parameters", "r_PREPARE.html"),
    "DECLARE / FETCH / CLOSE (cursors)": (N, "NotSupportedError; the DB-API cursor fetches in batches",
                                          "declare.html"),
    "LOCK": (N, "NotSupportedError", "r_LOCK.html"),
    "COMMENT ON": (N, "NotSupportedError", "r_COMMENT.html"),
}

STATEMENTS = {
    "athena": {name: (status, how, ATHENA + page) for name, (status, how, page) in _ATHENA.items()},
    "redshift": {name: (status, how, REDSHIFT + page) for name, (status, how, page) in _REDSHIFT.items()},
}
