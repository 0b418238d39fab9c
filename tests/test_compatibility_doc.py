"""docs/compatibility.md is generated from the code and the conformance cases, and is kept up to date."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _generator():
    name = "lakebox_scripts_compatibility"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "compatibility.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def test_committed_compatibility_table_is_up_to_date():
    generated = _generator().render()
    committed = (ROOT / "docs" / "compatibility.md").read_text()
    assert committed == generated, "docs/compatibility.md is out of date: run python scripts/compatibility.py"


def test_every_dialect_and_status_is_reported():
    data = _generator().collect()
    for dialect in ("athena", "redshift"):
        statuses = {e.status for e in data[dialect]["functions"]}
        assert statuses <= {"supported", "partial", "not supported"}
        assert "supported" in statuses


def test_declarations_and_cases_meet():
    athena = {e.name.lower(): e for e in _generator().collect()["athena"]["functions"]}
    assert athena["date_add"].family == "datetime" and athena["date_add"].cases > 0
    assert athena["format_datetime"].status == "supported" and athena["format_datetime"].cases > 0
    assert athena["from_unixtime"].status == "partial"


def test_statement_families_are_documented_and_proved():
    """Each statement family cites its documentation page, and its conformance cases make the status true:
    a supported or partial family has a case that runs; a not supported one a case where lakebox raises
    NotSupportedError (the conformance suite runs every case)."""
    generator = _generator()
    for dialect in ("athena", "redshift"):
        statements = generator.collect()[dialect]["statements"]
        assert len(statements) > 30
        cases: dict[str, list[dict]] = {}
        for case in generator.conformance_cases(dialect, generator.STATEMENT_CASES):
            assert str(case.get("source", "")).startswith("https://docs.aws.amazon.com/"), case
            cases.setdefault(case["function"].lower(), []).append(case)
        for entry in statements:
            assert entry.source.startswith("https://docs.aws.amazon.com/"), entry
            mine = cases.get(entry.name.lower(), [])
            if entry.status == "not supported":
                assert any(c.get("raises") == "NotSupportedError" for c in mine), f"{dialect}: {entry.name}"
                assert entry.how.startswith("NotSupportedError"), entry
            else:
                assert any("error" not in c for c in mine), f"{dialect}: {entry.name} has no case that runs it"


def test_statement_cases_name_declared_families():
    generator = _generator()
    for dialect in ("athena", "redshift"):
        declared = {e.name.lower() for e in generator.collect()[dialect]["statements"]}
        for case in generator.conformance_cases(dialect, generator.STATEMENT_CASES):
            assert case["function"].lower() in declared, case["function"]
