import pytest

_tally = {"athena": {"passed": 0, "total": 0}, "redshift": {"passed": 0, "total": 0}}


@pytest.fixture(scope="session")
def conformance_tally():
    return _tally


def pytest_terminal_summary(terminalreporter):
    if any(t["total"] for t in _tally.values()):
        for dialect, tally in _tally.items():
            terminalreporter.write_line(f"conformance {dialect}: {tally['passed']} of {tally['total']} cases pass")
