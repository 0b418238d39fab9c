from __future__ import annotations

import datetime
import gzip
import json
import pathlib
from decimal import Decimal

import duckdb
import pyarrow as pa
import pyarrow.orc as orc
import pyarrow.parquet as pq
import pytest

from lakebox.connectors.readers import FILE_COLUMN, FormatSpec, scan_sql
from lakebox.errors import NotSupportedError, OperationalError, ProgrammingError


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    c.execute("SET TimeZone = 'UTC'")
    return c


def rows(con: duckdb.DuckDBPyConnection, spec: FormatSpec, files: list, columns: list, **kw) -> list[tuple]:
    sql = scan_sql(con, spec, [str(f) for f in files], columns, **kw)
    return con.execute(f"SELECT * FROM {sql} AS t").fetchall()


def types_of(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[str, str]]:
    return [(d[0], str(d[1])) for d in con.execute(f"SELECT * FROM {sql} AS t LIMIT 0").description]


def write(path: pathlib.Path, text: str | bytes) -> pathlib.Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


PARQUET = FormatSpec("parquet")
TEXT = FormatSpec("csv")  # LazySimpleSerDe defaults: ',' here, no quoting, '\N' is NULL


# -- Parquet -------------------------------------------------------------------------------


def test_parquet_schema_evolution_case_and_missing_columns(con, tmp_path) -> None:
    a = tmp_path / "a.parquet"
    b = tmp_path / "b.parquet"
    pq.write_table(pa.table({"Id": pa.array([1, 2], pa.int32()), "Name": ["x", "y"]}), a)
    pq.write_table(pa.table({"id": pa.array([3], pa.int64()), "score": [1.5], "name": ["z"]}), b)
    cols = [("id", "BIGINT"), ("name", "VARCHAR"), ("score", "DECIMAL(10,2)"), ("never", "DATE")]
    sql = scan_sql(con, PARQUET, [str(a), str(b)], cols)
    assert types_of(con, sql) == [("id", "BIGINT"), ("name", "VARCHAR"), ("score", "DECIMAL(10,2)"), ("never", "DATE")]
    assert con.execute(f"SELECT * FROM {sql} ORDER BY id").fetchall() == [
        (1, "x", None, None),
        (2, "y", None, None),
        (3, "z", Decimal("1.50"), None),
    ]


def test_parquet_column_missing_from_every_file(con, tmp_path) -> None:
    f = tmp_path / "a.parquet"
    pq.write_table(pa.table({"a": [1]}), f)
    assert rows(con, PARQUET, [f], [("b", "VARCHAR"), ("c", "INTEGER[]")]) == [(None, None)]


def test_parquet_nested_struct_evolution(con, tmp_path) -> None:
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    pq.write_table(pa.table({"s": [{"x": 1}], "l": [[{"x": 1}]]}), a)
    pq.write_table(pa.table({"s": [{"x": 2, "y": "b"}], "l": [[{"x": 2, "y": "c"}]]}), b)
    cols = [("s", "STRUCT(x BIGINT, y VARCHAR, z INTEGER)"), ("l", "STRUCT(x INTEGER, y VARCHAR)[]")]
    assert rows(con, PARQUET, [a, b], cols) == [
        ({"x": 1, "y": None, "z": None}, [{"x": 1, "y": None}]),
        ({"x": 2, "y": "b", "z": None}, [{"x": 2, "y": "c"}]),
    ]


def test_parquet_with_filename_and_awkward_paths(con, tmp_path) -> None:
    # A data column called 'filename', a quote in the path, and a Hive-style folder whose
    # key clashes with a data column: the file's own value must win.
    folder = tmp_path / "dt=2020" / "it's"
    folder.mkdir(parents=True)
    f = folder / "part 0.parquet"
    pq.write_table(pa.table({"dt": ["from-file"], "filename": ["data"]}), f)
    cols = [("dt", "VARCHAR"), ("filename", "VARCHAR")]
    assert rows(con, PARQUET, [f], cols, with_filename=True) == [("from-file", "data", str(f))]


def test_parquet_binary_strings(con, tmp_path) -> None:
    f = tmp_path / "a.parquet"
    pq.write_table(pa.table({"s": pa.array([b"caf\xc3\xa9"], pa.binary())}), f)
    assert rows(con, PARQUET, [f], [("s", "VARCHAR")]) == [("café",)]
    assert rows(con, PARQUET, [f], [("s", "BLOB")]) == [(b"caf\xc3\xa9",)]


def test_parquet_scan_keeps_pushdown(con, tmp_path) -> None:
    f = tmp_path / "a.parquet"
    con.execute(f"COPY (SELECT range AS id, range::VARCHAR AS s, 1 AS other FROM range(1000)) TO '{f}'")
    sql = scan_sql(con, PARQUET, [str(f)], [("id", "BIGINT"), ("s", "VARCHAR"), ("other", "INTEGER")])
    plan = con.execute(f"EXPLAIN SELECT s FROM {sql} WHERE id = 5").fetchall()[0][1]
    # The empty branch is optimised away (a one-child Union pass-through may remain): the
    # filter and the projection reach the Parquet reader itself.
    reader = plan[plan.index("READ_PARQUET") :]
    assert "Filters:id=5" in reader.replace(" ", "")
    assert "Projections:s" in reader.replace(" ", "") and "other" not in plan
    assert con.execute(f"SELECT s FROM {sql} WHERE id = 5").fetchall() == [("5",)]


def test_parquet_files_grouped_by_schema_keep_pushdown(con, tmp_path) -> None:
    # Six files in two schemas: one read_parquet per schema, no union_by_name (which would read
    # every footer on every query), and the filter still reaches each reader.
    files = []
    for i in range(6):
        f = tmp_path / f"p{i}.parquet"
        if i % 2:
            pq.write_table(pa.table({"ID": pa.array([i], pa.int32()), "s": [str(i)]}), f)
        else:
            pq.write_table(pa.table({"id": pa.array([i], pa.int64()), "s": [str(i)], "extra": [0.5]}), f)
        files.append(str(f))
    sql = scan_sql(con, PARQUET, files, [("id", "BIGINT"), ("s", "VARCHAR")])
    assert sql.count("read_parquet(") == 2 and "union_by_name" not in sql
    plan = con.execute(f"EXPLAIN SELECT s FROM {sql} WHERE id = 3").fetchall()[0][1].replace(" ", "")
    assert plan.count("READ_PARQUET") == 2 and plan.count("Filters:") >= 2
    assert con.execute(f"SELECT s FROM {sql} WHERE id = 3").fetchall() == [("3",)]
    assert sorted(con.execute(f"SELECT id FROM {sql}").fetchall()) == [(i,) for i in range(6)]


def test_parquet_rewritten_file_is_read_with_its_new_schema(con, tmp_path) -> None:
    f = tmp_path / "a.parquet"
    pq.write_table(pa.table({"a": [1]}), f)
    cols = [("a", "BIGINT"), ("b", "VARCHAR")]
    assert rows(con, PARQUET, [f], cols) == [(1, None)]
    pq.write_table(pa.table({"a": [2, 3], "b": ["new", "rows"]}), f)
    assert rows(con, PARQUET, [f], cols) == [(2, "new"), (3, "rows")]


def test_parquet_corrupt_file_error_names_it(con, tmp_path) -> None:
    bad = write(tmp_path / "bad.parquet", b"not parquet at all")
    sql = scan_sql(con, PARQUET, [str(bad)], [("a", "INTEGER")])
    with pytest.raises(duckdb.Error, match="bad.parquet"):
        con.execute(f"SELECT * FROM {sql}").fetchall()


# -- text: LazySimpleSerDe -----------------------------------------------------------------


def test_text_nulls_bad_values_and_ragged_rows(con, tmp_path) -> None:
    f = write(
        tmp_path / "a.txt",
        "1,a,2020-01-02,1.5,true\n"
        "\\N,\\N,\\N,\\N,\\N\n"  # the null format
        ",,,,\n"  # empty: '' for strings, NULL otherwise
        "x1,b,2020-13-45,abc,yes\n"  # unparsable -> NULL
        "1.5,c,2020-01-02 10:00:00,1e2,FALSE\n"
        "+7,d\n"  # missing trailing fields
        "8,e,2020-01-03,2.25,True,extra,fields\n",  # extra fields ignored
    )
    cols = [("i", "INTEGER"), ("s", "VARCHAR"), ("d", "DATE"), ("x", "DECIMAL(10,1)"), ("b", "BOOLEAN")]
    assert rows(con, TEXT, [f], cols) == [
        (1, "a", datetime.date(2020, 1, 2), Decimal("1.5"), True),
        (None, None, None, None, None),
        (None, "", None, None, None),
        (None, "b", None, None, None),
        (None, "c", datetime.date(2020, 1, 2), Decimal("100.0"), False),
        (7, "d", None, None, None),
        (8, "e", datetime.date(2020, 1, 3), Decimal("2.3"), True),
    ]


def test_text_integer_overflow_and_timestamps(con, tmp_path) -> None:
    f = write(tmp_path / "a.txt", "300|2020-01-02 03:04:05.123\n-5|garbage\n")
    spec = FormatSpec("csv", delimiter="|")
    assert rows(con, spec, [f], [("t", "TINYINT"), ("ts", "TIMESTAMP")]) == [
        (None, datetime.datetime(2020, 1, 2, 3, 4, 5, 123000)),
        (-5, None),
    ]


def test_text_header_skipped_in_every_file(con, tmp_path) -> None:
    a = write(tmp_path / "a.csv", "id,name\n1,x\n2,y\n")
    b = write(tmp_path / "b.csv", "id,name\n3,z\n")
    spec = FormatSpec("csv", header_lines=1)
    assert rows(con, spec, [a, b], [("id", "INTEGER"), ("name", "VARCHAR")]) == [(1, "x"), (2, "y"), (3, "z")]


@pytest.mark.parametrize("delimiter", ["\x01", "|", "\t", ";", "||"])
def test_text_delimiters(con, tmp_path, delimiter) -> None:
    f = write(tmp_path / "a.txt", delimiter.join(["1", "a,b", 'q"r']) + "\n")
    spec = FormatSpec("csv", delimiter=delimiter)
    assert rows(con, spec, [f], [("a", "INTEGER"), ("b", "VARCHAR"), ("c", "VARCHAR")]) == [(1, "a,b", 'q"r')]


def test_text_without_quoting_keeps_quote_characters(con, tmp_path) -> None:
    f = write(tmp_path / "a.txt", '1,"x,y"\n')
    assert rows(con, TEXT, [f], [("a", "INTEGER"), ("b", "VARCHAR"), ("c", "VARCHAR")]) == [(1, '"x', 'y"')]


def test_text_escape_char(con, tmp_path) -> None:
    f = write(tmp_path / "a.txt", "1,a\\,b,c\\\\d\n")
    spec = FormatSpec("csv", escape="\\")
    assert rows(con, spec, [f], [("a", "INTEGER"), ("b", "VARCHAR"), ("c", "VARCHAR")]) == [(1, "a,b", "c\\d")]


def test_text_custom_null_format_and_crlf(con, tmp_path) -> None:
    f = write(tmp_path / "a.txt", "1,,NULL\r\n2,x,y\r\n")
    spec = FormatSpec("csv", null_format="")
    assert rows(con, spec, [f], [("a", "INTEGER"), ("b", "VARCHAR"), ("c", "VARCHAR")]) == [
        (1, None, "NULL"),
        (2, "x", "y"),
    ]


def test_text_compressed_files(con, tmp_path) -> None:
    a = write(tmp_path / "a.csv.gz", gzip.compress(b"1,a\n"))
    b = tmp_path / "b.csv.zst"
    con.execute(f"COPY (SELECT 2 AS a, 'b' AS b) TO '{b}' (HEADER false, COMPRESSION zstd)")
    c = write(tmp_path / "c.csv", "3,c\n")
    cols = [("a", "INTEGER"), ("b", "VARCHAR")]
    expected = [(1, "a", str(a)), (2, "b", str(b)), (3, "c", str(c))]
    assert rows(con, TEXT, [a, b, c], cols, with_filename=True) == expected
    # A hint covers files without a telling extension.
    d = write(tmp_path / "d", gzip.compress(b"4,d\n"))
    assert rows(con, FormatSpec("csv", compression="gzip"), [d], cols) == [(4, "d")]


def test_text_unsupported_compression(con, tmp_path) -> None:
    with pytest.raises(NotSupportedError, match="x.snappy"):
        scan_sql(con, TEXT, [str(tmp_path / "x.snappy")], [("a", "INTEGER")])
    with pytest.raises(NotSupportedError, match="lzo"):
        scan_sql(con, FormatSpec("csv", compression="lzo"), [str(tmp_path / "x")], [("a", "INTEGER")])


def test_text_complex_types_use_hive_default_separators(con, tmp_path) -> None:
    f = write(
        tmp_path / "a.txt",
        "1\x011\x022\x02\\N\x01a\x03true\x02b\x03\x01k1\x034\x02k2\x03\\N\x02k1\x039\x01p\x02q\x03r\n"
        "2\x01\x01\x01\x01\n"  # empty collections
        "3\x01\\N\x01\\N\x01\\N\x01\\N\n",
    )
    cols = [
        ("id", "INTEGER"),
        ("arr", "INTEGER[]"),
        ("structs", "STRUCT(a VARCHAR, b BOOLEAN)[]"),
        ("m", "MAP(VARCHAR, INTEGER)"),
        ("deep", "STRUCT(x VARCHAR, y VARCHAR[])"),
    ]
    assert rows(con, FormatSpec("csv", delimiter="\x01"), [f], cols) == [
        (
            1,
            [1, 2, None],
            [{"a": "a", "b": True}, {"a": "b", "b": None}],
            {"k1": 4, "k2": None},  # the first of duplicate keys wins
            {"x": "p", "y": ["q", "r"]},
        ),
        (2, [], [], {}, {"x": "", "y": None}),
        (3, None, None, None, None),
    ]


# -- text: OpenCSVSerde --------------------------------------------------------------------


def test_opencsv_quoting(con, tmp_path) -> None:
    f = write(
        tmp_path / "a.csv",
        'id,text,n\n"1","a,b","5"\n"2","",""\n3,"line\nbreak",x\n4,"say \\"hi\\""\n',
    )
    spec = FormatSpec("csv", quote='"', escape="\\", header_lines=1)
    assert rows(con, spec, [f], [("id", "INTEGER"), ("text", "VARCHAR"), ("n", "BIGINT")]) == [
        (1, "a,b", 5),
        (2, "", None),  # empty string stays a string; not a number -> NULL
        (3, "line\nbreak", None),
        (4, 'say "hi"', None),  # missing trailing field -> NULL
    ]


def test_opencsv_doubled_quotes_without_escape(con, tmp_path) -> None:
    f = write(tmp_path / "a.csv", '"a ""b"" c",2\n')
    spec = FormatSpec("csv", quote='"')
    assert rows(con, spec, [f], [("s", "VARCHAR"), ("n", "INTEGER")]) == [('a "b" c', 2)]


# -- JSON ----------------------------------------------------------------------------------


JSON_COLUMNS = [
    ("id", "BIGINT"),
    ("name", "VARCHAR"),
    ("address", "STRUCT(city VARCHAR, zip INTEGER, geo STRUCT(lat DOUBLE))"),
    ("tags", "VARCHAR[]"),
    ("items", "STRUCT(sku VARCHAR, qty INTEGER)[]"),
    ("attrs", "MAP(VARCHAR, INTEGER)"),
    ("ts", "TIMESTAMP"),
]


def test_json_nested_missing_and_case_insensitive_keys(con, tmp_path) -> None:
    lines = [
        {
            "ID": 1,
            "Name": "Ann",
            "Address": {"City": "Oslo", "ZIP": 150, "Geo": {"LAT": 59.9}},
            "tags": ["a", "b"],
            "Items": [{"SKU": "x", "Qty": 2}, {"sku": "y"}],
            "attrs": {"K": 1, "k": 2},  # map keys are data: case kept
            "ts": "2020-01-02 03:04:05",
        },
        {"id": "2", "unknown": True},  # numbers in strings convert; missing keys -> NULL
        {"id": "not a number", "name": 5, "address": "not an object", "tags": [], "items": [None]},
        {"id": None, "name": {"nested": "json"}},  # a string column gets the JSON text
    ]
    f = write(tmp_path / "a.json", "\n".join(json.dumps(line) for line in lines) + "\n\n")
    assert rows(con, FormatSpec("json"), [f], JSON_COLUMNS) == [
        (
            1,
            "Ann",
            {"city": "Oslo", "zip": 150, "geo": {"lat": 59.9}},
            ["a", "b"],
            [{"sku": "x", "qty": 2}, {"sku": "y", "qty": None}],
            {"K": 1, "k": 2},
            datetime.datetime(2020, 1, 2, 3, 4, 5),
        ),
        (2, None, None, None, None, None, None),
        (None, "5", None, [], [None], None, None),
        (None, '{"nested":"json"}', None, None, None, None, None),
    ]


def test_json_types_and_compressed_files(con, tmp_path) -> None:
    a = write(tmp_path / "a.json.gz", gzip.compress(b'{"id": 1}\n'))
    b = write(tmp_path / "b.json", '{"id": 2}\n')
    sql = scan_sql(con, FormatSpec("json"), [str(a), str(b)], JSON_COLUMNS, with_filename=True)
    assert types_of(con, sql) == [(n, t) for n, t in JSON_COLUMNS] + [(FILE_COLUMN, "VARCHAR")]
    assert [(r[0], r[-1]) for r in con.execute(f"SELECT * FROM {sql}").fetchall()] == [(1, str(a)), (2, str(b))]


def test_json_malformed_line_is_an_error(con, tmp_path) -> None:
    f = write(tmp_path / "bad.json", '{"id": 1}\n{"id": \n')
    sql = scan_sql(con, FormatSpec("json"), [str(f)], [("id", "BIGINT")])
    with pytest.raises(duckdb.Error):
        con.execute(f"SELECT * FROM {sql}").fetchall()


# -- ORC -----------------------------------------------------------------------------------


def test_orc_by_name_positional_and_missing(con, tmp_path) -> None:
    a, b = tmp_path / "a.orc", tmp_path / "b.orc"
    orc.write_table(pa.table({"ID": pa.array([1, 2], pa.int32()), "Name": ["x", "y"], "s": [{"X": 1}, {"X": 2}]}), a)
    orc.write_table(pa.table({"_col0": [3], "_col1": ["z"]}), b)  # old Hive: names by position
    cols = [("id", "BIGINT"), ("name", "VARCHAR"), ("s", "STRUCT(x INTEGER)"), ("missing", "DATE")]
    sql = scan_sql(con, FormatSpec("orc"), [str(a), str(b)], cols, with_filename=True, name_hint="db.t")
    assert "__lakebox_orc_db_t_" in sql
    assert con.execute(f"SELECT * FROM {sql}").fetchall() == [
        (1, "x", {"x": 1}, None, str(a)),
        (2, "y", {"x": 2}, None, str(a)),
        (3, "z", None, None, str(b)),
    ]


def test_orc_local_files_are_scanned_lazily_with_pushdown(con, tmp_path) -> None:
    f = tmp_path / "a.orc"
    orc.write_table(pa.table({"id": list(range(1000)), "s": [str(i) for i in range(1000)], "other": [1] * 1000}), f)
    sql = scan_sql(con, FormatSpec("orc"), [str(f)], [("id", "BIGINT"), ("s", "VARCHAR"), ("other", "INTEGER")])
    plan = con.execute(f"EXPLAIN SELECT s FROM {sql} WHERE id = 5").fetchall()[0][1].replace(" ", "")
    assert 'Filters:"id"=5' in plan and "Projections:s" in plan  # the scanner reads only what it must
    assert con.execute(f"SELECT s FROM {sql} WHERE id = 5").fetchall() == [("5",)]


def test_orc_file_without_any_wanted_column_keeps_its_rows(con, tmp_path) -> None:
    f = tmp_path / "a.orc"
    orc.write_table(pa.table({"other": [1, 2, 3]}), f)
    assert rows(con, FormatSpec("orc"), [f], [("a", "VARCHAR")]) == [(None,)] * 3


def test_orc_corrupt_file(con, tmp_path) -> None:
    bad = write(tmp_path / "bad.orc", b"nope")
    with pytest.raises(OperationalError, match="bad.orc"):
        scan_sql(con, FormatSpec("orc"), [str(bad)], [("a", "INTEGER")])


# -- shared rules --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["parquet", "csv", "json", "orc"])
def test_empty_file_list_is_typed_and_empty(con, kind) -> None:
    cols = [("a", "BIGINT"), ("b", "DECIMAL(10,2)"), ("c", "STRUCT(x INTEGER)[]"), ("d", "MAP(VARCHAR, INTEGER)")]
    sql = scan_sql(con, FormatSpec(kind), [], cols, with_filename=True)
    assert types_of(con, sql) == [*cols, (FILE_COLUMN, "VARCHAR")]
    assert con.execute(f"SELECT count(*) FROM {sql}").fetchone() == (0,)


@pytest.mark.parametrize("kind", ["parquet", "csv", "json", "orc"])
def test_awkward_column_names_are_quoted(con, tmp_path, kind) -> None:
    name = 'we"ird name'
    path = tmp_path / f"f.{kind}"
    if kind == "parquet":
        pq.write_table(pa.table({name: [1]}), path)
    elif kind == "orc":
        orc.write_table(pa.table({name: [1]}), path)
    elif kind == "json":
        write(path, json.dumps({name: 1}) + "\n")
    else:
        write(path, "1\n")
    assert rows(con, FormatSpec(kind), [path], [(name, "INTEGER")]) == [(1,)]


def test_bad_arguments(con, tmp_path) -> None:
    with pytest.raises(NotSupportedError, match="avro"):
        scan_sql(con, FormatSpec("avro"), ["/x"], [("a", "INTEGER")])
    with pytest.raises(ProgrammingError, match="NOTATYPE"):
        scan_sql(con, PARQUET, ["/x"], [("a", "NOTATYPE")])
    with pytest.raises(ProgrammingError):
        scan_sql(con, PARQUET, ["/x"], [])


def test_files_on_s3_through_the_registered_filesystem(con, tmp_path, moto_s3) -> None:
    from lakebox.connectors.storage import Storage

    storage = Storage(tmp_path / "home")
    storage.s3fs.mkdir("bkt")
    pq.write_table(pa.table({"A": [1]}), tmp_path / "a.parquet")
    orc.write_table(pa.table({"A": [2]}), tmp_path / "a.orc")
    storage.write_bytes("s3://bkt/p/a.parquet", (tmp_path / "a.parquet").read_bytes())
    storage.write_bytes("s3://bkt/o/a.orc", (tmp_path / "a.orc").read_bytes())
    storage.write_bytes("s3://bkt/c/a.csv.gz", gzip.compress(b"3\n"))
    storage.write_bytes("s3://bkt/j/a.json", b'{"A": 4}\n')
    storage.register(con)
    found = []
    for kind, folder in [("parquet", "p"), ("orc", "o"), ("csv", "c"), ("json", "j")]:
        files = storage.list_files(f"s3://bkt/{folder}")
        found += rows(con, FormatSpec(kind), files, [("a", "BIGINT")], with_filename=True)
    assert found == [
        (1, "s3://bkt/p/a.parquet"),
        (2, "s3://bkt/o/a.orc"),
        (3, "s3://bkt/c/a.csv.gz"),
        (4, "s3://bkt/j/a.json"),
    ]
