from lakebox import errors
from lakebox.dialects import types

import pytest


@pytest.mark.parametrize("written, glue, duck", [
    ("INT", "int", "INT"),
    ("integer", "int", "INT"),
    ("string", "string", "TEXT"),
    ("varchar(10)", "varchar(10)", "TEXT"),
    ("decimal", "decimal(10,0)", "DECIMAL(10, 0)"),
    ("decimal(15,2)", "decimal(15,2)", "DECIMAL(15, 2)"),
    ("array<struct<x:int,y:string>>", "array<struct<x:int,y:string>>", "STRUCT(x INT, y TEXT)[]"),
    ("map<string,bigint>", "map<string,bigint>", "MAP(TEXT, BIGINT)"),
])
def test_glue_and_duckdb_spellings(written, glue, duck):
    assert types.normalize_glue_type(written) == glue
    assert types.duckdb_type(glue) == duck


def test_from_duckdb():
    assert types.glue_type_from_duckdb("STRUCT(a INTEGER, b VARCHAR[])") == "struct<a:int,b:array<string>>"


def test_unknown_type():
    with pytest.raises(errors.ProgrammingError, match="unknown type"):
        types.normalize_glue_type("notatype")
