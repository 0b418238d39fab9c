"""Types, widening, struct merges, similarity and Glue's CSV header rule."""

from __future__ import annotations

import pyarrow as pa
import pytest

from lakebox.catalog.crawler import inference as inf


@pytest.mark.parametrize("a, b, expected", [
    ("boolean", "bigint", "bigint"),
    ("bigint", "double", "double"),
    ("boolean", "double", "double"),
    ("double", "string", "string"),
    ("bigint", "string", "string"),
    ("int", "bigint", "bigint"),
    ("float", "bigint", "float"),
    ("date", "timestamp", "timestamp"),
    ("decimal(10,2)", "decimal(12,4)", "decimal(12,4)"),
    ("decimal(38,0)", "decimal(10,5)", "decimal(38,5)"),
    ("decimal(10,2)", "bigint", "double"),
    ("date", "bigint", "string"),
    (None, "bigint", "bigint"),
    ("boolean", None, "boolean"),
    (("array", "bigint"), ("array", "double"), ("array", "double")),
    (("array", None), ("array", "string"), ("array", "string")),
    (("array", "bigint"), "bigint", "string"),
    (("map", "string", "bigint"), ("map", "string", "boolean"), ("map", "string", "bigint")),
])
def test_widen(a, b, expected):
    assert inf.widen(a, b) == expected
    assert inf.widen(b, a) == expected


def test_structs_merge_field_by_field():
    a = ("struct", (("x", "bigint"), ("y", ("struct", (("p", "boolean"),)))))
    b = ("struct", (("y", ("struct", (("q", "string"), ("p", "bigint")))), ("X", "double"), ("z", "string")))
    merged = inf.widen(a, b)
    assert inf.render(merged) == "struct<x:double,y:struct<p:bigint,q:string>,z:string>"


def test_merge_schemas_keeps_first_seen_order_and_appends_new_columns():
    old = [("id", "bigint"), ("name", "string")]
    new = [("name", "string"), ("id", "double"), ("email", "string")]
    assert inf.merge_schemas(old, new) == [("id", "double"), ("name", "string"), ("email", "string")]


def test_render_unknown_is_string():
    assert inf.render(None) == "string"
    assert inf.render(("array", None)) == "array<string>"
    assert inf.render(("map", "string", ("array", "bigint"))) == "map<string,array<bigint>>"


@pytest.mark.parametrize("value, expected", [
    ("12", "bigint"), ("-3", "bigint"), ("+7", "bigint"), ("1.5", "double"), ("1e3", "double"), (".5", "double"),
    ("99999999999999999999", "double"), ("true", "boolean"), ("FALSE", "boolean"), ("abc", "string"),
    (" 12", "string"), ("12 ", "string"), ("0x10", "string"), ("", None), ("\\N", None), ("NaN", "string"),
])
def test_text_types(value, expected):
    assert inf.text_type(value) == expected


def test_json_types():
    obj = {"a": 1, "b": 1.5, "c": True, "d": "x", "e": None, "f": [1, 2.5], "g": {"h": [None]}, "i": [], "A": 2}
    schema = inf.json_object_schema(obj)
    assert inf.render_schema(schema) == [
        ("a", "bigint"), ("b", "double"), ("c", "boolean"), ("d", "string"), ("e", "string"),
        ("f", "array<double>"), ("g", "struct<h:array<string>>"), ("i", "array<string>")]


def test_similarity_and_majority():
    assert inf.similarity(["a", "b"], ["a", "b", "c"]) == 1.0
    assert inf.similarity(["a", "b"], ["c", "d"]) == 0.0
    ab, cd, abc = [("a", 1), ("b", 1)], [("c", 1), ("d", 1)], [("a", 1), ("b", 1), ("c", 1)]
    assert inf.similar_majority([ab, abc])  # a schema that gained a column
    assert not inf.similar_majority([ab, cd])  # Glue's year_2017 / year_2018 example
    assert inf.similar_majority([ab, abc, cd])  # two of three are similar: a majority
    assert not inf.similar_majority([ab, cd], [1, 1])
    assert inf.similar_majority([ab, cd], [3, 1])


class TestCsvHeader:
    def test_header_above_typed_rows(self):
        header, schema = inf.csv_schema([["id", "name", "score"], ["1", "ann", "1.5"], ["2", "bob", "2"]])
        assert header and inf.render_schema(schema) == [("id", "bigint"), ("name", "string"), ("score", "double")]

    def test_all_string_rows_mean_no_header(self):
        header, schema = inf.csv_schema([["name", "city"], ["ann", "paris"]])
        assert not header and [n for n, _ in schema] == ["col0", "col1"]

    def test_a_numeric_first_row_is_data(self):
        header, schema = inf.csv_schema([["1", "x"], ["2", "y"]])
        assert not header and inf.render_schema(schema) == [("col0", "bigint"), ("col1", "string")]

    def test_long_header_values_are_data(self):
        long = "x" * 150
        header, _ = inf.csv_schema([[long, "b"], ["1", "2"]])
        assert not header
        header, _ = inf.csv_schema([["a", long], ["1", "2"]])  # the last column may be long
        assert header

    def test_invalid_column_names_are_data(self):
        header, _ = inf.csv_schema([["a\x02b", "c"], ["1", "2"]])
        assert not header

    def test_header_names_are_cleaned_and_unique(self):
        header, schema = inf.csv_schema([[" Id ", "id", ""], ["1", "2", "3"]])
        assert header
        assert [n for n, _ in schema] == ["id", "id_1", "col2"]

    def test_trailing_delimiter(self):
        header, schema = inf.csv_schema([["a", "b", ""], ["1", "x", ""], ["2", "y", ""]])
        assert header and [n for n, _ in schema] == ["a", "b"]

    def test_empty_values_do_not_decide_types(self):
        header, schema = inf.csv_schema([["a", "b"], ["", "x"], ["3", ""]])
        assert header and inf.render_schema(schema) == [("a", "bigint"), ("b", "string")]


def test_arrow_types():
    schema = pa.schema([
        ("I8", pa.int8()), ("i16", pa.int16()), ("i32", pa.int32()), ("i64", pa.int64()), ("u64", pa.uint64()),
        ("f", pa.float32()), ("d", pa.float64()), ("dec", pa.decimal128(12, 3)), ("s", pa.string()),
        ("ls", pa.large_string()), ("bin", pa.binary()), ("dt", pa.date32()), ("ts", pa.timestamp("us", "UTC")),
        ("b", pa.bool_()), ("l", pa.list_(pa.int64())), ("m", pa.map_(pa.string(), pa.float64())),
        ("st", pa.struct([("X", pa.int32()), ("y", pa.list_(pa.string()))])), ("dict", pa.dictionary(pa.int8(),
                                                                                               pa.string())),
        ("t", pa.time64("us")),
    ])
    assert inf.render_schema(inf.arrow_schema(schema)) == [
        ("i8", "tinyint"), ("i16", "smallint"), ("i32", "int"), ("i64", "bigint"), ("u64", "bigint"),
        ("f", "float"), ("d", "double"), ("dec", "decimal(12,3)"), ("s", "string"), ("ls", "string"),
        ("bin", "binary"), ("dt", "date"), ("ts", "timestamp"), ("b", "boolean"), ("l", "array<bigint>"),
        ("m", "map<string,double>"), ("st", "struct<x:int,y:array<string>>"), ("dict", "string"),
        ("t", "string"),
    ]


def test_avro_types():
    schema = {"type": "record", "name": "r", "fields": [
        {"name": "a", "type": "long"}, {"name": "b", "type": ["null", "string"]},
        {"name": "c", "type": {"type": "array", "items": "int"}},
        {"name": "d", "type": {"type": "map", "values": "double"}},
        {"name": "e", "type": {"type": "record", "name": "e", "fields": [{"name": "f", "type": "boolean"}]}},
        {"name": "g", "type": {"type": "enum", "name": "g", "symbols": ["x"]}},
        {"name": "h", "type": {"type": "int", "logicalType": "date"}},
        {"name": "i", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "j", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
    ]}
    assert inf.render(inf.avro_type(schema)) == (
        "struct<a:bigint,b:string,c:array<int>,d:map<string,double>,e:struct<f:boolean>,g:string,h:date,"
        "i:timestamp,j:decimal(9,2)>")
