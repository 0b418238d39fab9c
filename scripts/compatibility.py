#!/usr/bin/env python
"""Generate docs/compatibility.md from the code and the tests.

    python scripts/compatibility.py          # rewrite docs/compatibility.md
    python scripts/compatibility.py --check  # exit 1 when the committed file is out of date

Sources, nothing else:

- every rule family module in `lakebox/dialects/` that declares `FUNCTIONS = {"name": (status, how)}`
  (status: "supported" | "partial" | "not supported"); a module whose name starts with `redshift_`
  speaks for Redshift, the others for Athena; a module may instead declare
  `FUNCTIONS = {"athena": {...}, "redshift": {...}}`;
- `STATEMENTS = {"athena": {"name": (status, how, documentation URL)}, "redshift": {...}}`
  (`lakebox/dialects/statement_support.py`): the statement families, listed in declaration order;
- the conformance cases, `tests/conformance/<dialect>/<family>.yaml`: each case's `function` field
  counts as a documented case for that function (a function with cases and no declaration is
  listed as supported, as DuckDB and sqlglot already run it, and the cases prove it); the cases of
  `statements.yaml` count for statement families, which must be declared;
- the services' function indexes below: a function neither declared nor tested is listed as not
  supported (unverified: sqlglot's translation may still run it, but nothing proves the answer).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "compatibility.md"
CONFORMANCE = ROOT / "tests" / "conformance"
DIALECTS = ("athena", "redshift")
STATUSES = ("supported", "partial", "not supported")

# Trino's function index (https://trino.io/docs/current/functions/list.html), as Athena engine v3 has it.
ATHENA_FUNCTIONS = """
abs acos all_match any_match approx_distinct approx_most_frequent approx_percentile approx_set arbitrary
array_agg array_distinct array_except array_histogram array_intersect array_join array_max array_min
array_position array_remove array_sort array_union arrays_overlap asin at_timezone atan atan2 avg
bar beta_cdf bing_tile bit_count bitwise_and bitwise_and_agg bitwise_left_shift bitwise_not bitwise_or
bitwise_or_agg bitwise_right_shift bitwise_right_shift_arithmetic bitwise_xor bool_and bool_or cardinality
cast cbrt ceil ceiling char2hexint checksum chr classify codepoint color combinations concat concat_ws
contains contains_sequence corr cos cosh cosine_similarity count count_if covar_pop covar_samp crc32
cume_dist current_date current_time current_timestamp current_timezone date date_add date_diff
date_format date_parse date_trunc day day_of_month day_of_week day_of_year degrees dense_rank dow doy e
element_at empty_approx_set evaluate_classifier_predictions every exp extract features filter first_value
flatten floor format format_datetime format_number from_base from_base32 from_base64 from_base64url
from_big_endian_32 from_big_endian_64 from_encoded_polyline from_geojson_geometry from_hex
from_ieee754_32 from_ieee754_64 from_iso8601_date from_iso8601_timestamp from_iso8601_timestamp_nanos
from_unixtime from_unixtime_nanos from_utf8 geometric_mean greatest hamming_distance hash_counts
histogram hmac_md5 hmac_sha1 hmac_sha256 hmac_sha512 hour human_readable_seconds if index infinity
intersection_cardinality inverse_beta_cdf inverse_normal_cdf is_finite is_infinite is_json_scalar is_nan
jaccard_index json_array_contains json_array_get json_array_length json_exists json_extract
json_extract_scalar json_format json_object json_array json_parse json_query json_size json_value kurtosis
lag last_day_of_month last_value lead learn_classifier learn_regressor least length levenshtein_distance
line_interpolate_point listagg ln localtime localtimestamp log log10 log2 lower lpad ltrim luhn_check
make_set_digest map map_agg map_concat map_entries map_filter map_from_entries map_keys map_union
map_union_sum map_values map_zip_with max max_by md5 merge merge_set_digest millisecond min min_by
minute mod month multimap_agg multimap_from_entries murmur3 nan ngrams none_match normal_cdf
normalize now nth_value ntile nullif numeric_histogram objectid parse_data_size parse_datetime
parse_duration parse_presto_data_size percent_rank pi position pow power quantile_at_value qdigest_agg
quarter radians rand random rank reduce reduce_agg regexp_count regexp_extract regexp_extract_all
regexp_like regexp_position regexp_replace regexp_split regr_intercept regr_slope render repeat
replace reverse rgb round row_number rpad rtrim second sequence sha1 sha256 sha512 shuffle sign sin
sinh skewness slice soundex spooky_hash_v2_32 spooky_hash_v2_64 split split_part split_to_map
split_to_multimap sqrt starts_with stddev stddev_pop stddev_samp strpos substr substring sum tan tanh
tdigest_agg timezone_hour timezone_minute to_base to_base32 to_base64 to_base64url to_big_endian_32
to_big_endian_64 to_char to_date to_encoded_polyline to_geojson_geometry to_hex to_ieee754_32
to_ieee754_64 to_iso8601 to_milliseconds to_timestamp to_unixtime to_utf8 transform transform_keys
transform_values translate trim trim_array truncate try try_cast typeof upper url_decode url_encode
url_extract_fragment url_extract_host url_extract_parameter url_extract_path url_extract_port
url_extract_protocol url_extract_query uuid value_at_quantile values_at_quantiles var_pop var_samp
variance week week_of_year with_timezone word_stem xxhash64 year year_of_week yow zip zip_with
""".split()

# The Amazon Redshift SQL function reference, the functions a query uses most.
REDSHIFT_FUNCTIONS = """
ABS ACOS ADD_MONTHS APPROXIMATE ASCII ASIN ATAN ATAN2 AVG BIT_AND BIT_OR BOOL_AND BOOL_OR BTRIM
BPCHARCMP CASE CAST CBRT CEIL CEILING CHARINDEX CHARACTER_LENGTH CHAR_LENGTH CHECKSUM CHR COALESCE
CONCAT CONVERT CONVERT_TIMEZONE COS COT COUNT CRC32 CUME_DIST CURRENT_DATE CURRENT_TIMESTAMP DATEADD
DATEDIFF DATE_CMP DATE_PART DATE_PART_YEAR DATE_TRUNC DECODE DEGREES DENSE_RANK DEXP DLOG1 DLOG10
EXP EXTRACT FIRST_VALUE FLOOR FNV_HASH FUNC_SHA1 GETDATE GREATEST INITCAP INTERVAL_CMP IS_VALID_JSON
IS_VALID_JSON_ARRAY JSON_ARRAY_LENGTH JSON_EXTRACT_ARRAY_ELEMENT_TEXT JSON_EXTRACT_PATH_TEXT JSON_PARSE
JSON_SERIALIZE LAG LAST_DAY LAST_VALUE LEAD LEAST LEFT LEN LENGTH LISTAGG LN LOG LOWER LPAD LTRIM MAX
MD5 MEDIAN MIN MOD MONTHS_BETWEEN NEXT_DAY NTH_VALUE NTILE NULLIF NVL NVL2 OCTET_LENGTH PERCENTILE_CONT
PERCENTILE_DISC PERCENT_RANK PI POSITION POWER QUOTE_IDENT QUOTE_LITERAL RADIANS RANDOM RANK RATIO_TO_REPORT
REGEXP_COUNT REGEXP_INSTR REGEXP_REPLACE REGEXP_SUBSTR REPEAT REPLACE REPLICATE REVERSE RIGHT ROUND
ROW_NUMBER RPAD RTRIM SHA SHA1 SHA2 SIGN SIN SOUNDEX SPLIT_PART SQRT STDDEV STDDEV_POP STDDEV_SAMP
STRPOS STRTOL SUBSTR SUBSTRING SUM SYSDATE TAN TEXTLEN TIMEOFDAY TIMESTAMP_CMP TO_CHAR TO_DATE TO_HEX
TO_NUMBER TO_TIMESTAMP TRANSLATE TRIM TRUNC UPPER VARIANCE VAR_POP VAR_SAMP
""".split()

INDEXES = {"athena": ATHENA_FUNCTIONS, "redshift": REDSHIFT_FUNCTIONS}
TITLES = {"athena": "Athena (engine v3, Trino)", "redshift": "Redshift"}


@dataclass
class Entry:
    name: str
    status: str
    how: str
    family: str
    cases: int = 0
    source: str = ""


def _declarations(kind: str) -> dict[str, dict[str, Entry]]:
    """{dialect: {lower-case name: Entry}} from the modules' FUNCTIONS (or STATEMENTS) declarations."""
    sys.path.insert(0, str(ROOT))
    from lakebox.dialects.rules import declarations

    return {dialect: {key: Entry(d.name, d.status, d.how, d.family, source=d.source) for key, d in entries.items()}
            for dialect, entries in declarations(kind).items()}


STATEMENT_CASES = "statements"  # tests/conformance/<dialect>/statements.yaml: cases of statement families


def conformance_cases(dialect: str, stem: str | None = None) -> list[dict]:
    """The conformance cases of a dialect (of one file, by its stem), in order."""
    cases = []
    for path in sorted((CONFORMANCE / dialect).glob("*.yaml")):
        if stem is None or path.stem == stem:
            cases += (yaml.safe_load(path.read_text()) or {}).get("cases", [])
    return cases


def _cases() -> dict[str, dict[str, tuple[str, int]]]:
    """{dialect: {lower-case function: (family file, number of cases)}} (statement families excluded)."""
    counted: dict[str, dict[str, tuple[str, int]]] = {d: {} for d in DIALECTS}
    for dialect in DIALECTS:
        for path in sorted((CONFORMANCE / dialect).glob("*.yaml")):
            if path.stem == STATEMENT_CASES:
                continue
            document = yaml.safe_load(path.read_text()) or {}
            for case in document.get("cases", []):
                name = str(case.get("function") or "").strip()
                if not name:
                    continue
                family, count = counted[dialect].get(name.lower(), (path.stem, 0))
                counted[dialect][name.lower()] = (family, count + 1)
    return counted


def collect() -> dict[str, dict[str, list[Entry]]]:
    """{dialect: {"functions": [...], "statements": [...]}}: functions sorted by family then name,
    statements in the order they are declared."""
    functions, statements, cases = _declarations("FUNCTIONS"), _declarations("STATEMENTS"), _cases()
    result = {}
    for dialect in DIALECTS:
        for case in conformance_cases(dialect, STATEMENT_CASES):
            name = str(case.get("function") or "").strip().lower()
            if name not in statements[dialect]:
                raise ValueError(f"tests/conformance/{dialect}/{STATEMENT_CASES}.yaml: {case.get('function')!r} is "
                                 "not a statement family declared in STATEMENTS")
            statements[dialect][name].cases += 1
        entries = dict(functions[dialect])
        for name, (family, count) in cases[dialect].items():
            if name not in entries:
                entries[name] = Entry(name, "supported", "DuckDB runs it as sqlglot translates it; the "
                                      "conformance cases prove it", family)
            entries[name].cases += count
        for name in INDEXES[dialect]:
            if name.lower() not in entries:
                entries[name.lower()] = Entry(name, "not supported", "unverified: no rule and no conformance case "
                                              "(sqlglot's translation may run it; the answer is not checked)",
                                              "(index)")
        order = lambda e: (e.family == "(index)", e.family, e.name.lower())  # noqa: E731
        result[dialect] = {"functions": sorted(entries.values(), key=order),
                           "statements": list(statements[dialect].values())}
    return result


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(entries: list[Entry]) -> list[str]:
    lines = ["| name | status | how | family | cases |", "| --- | --- | --- | --- | --- |"]
    for e in entries:
        lines.append(f"| `{_cell(e.name)}` | {e.status} | {_cell(e.how)} | {e.family} | {e.cases or ''} |")
    return lines


def _statement_table(entries: list[Entry]) -> list[str]:
    lines = ["| statement | status | how | documentation | cases |", "| --- | --- | --- | --- | --- |"]
    for e in entries:
        page = e.source.rstrip("/").rsplit("/", 1)[-1].removesuffix(".html") if e.source else ""
        link = f"[{page}]({e.source})" if e.source else ""
        lines.append(f"| `{_cell(e.name)}` | {e.status} | {_cell(e.how)} | {link} | {e.cases or ''} |")
    return lines


def render() -> str:
    data = collect()
    lines = ["# lakebox compatibility", "",
             "Generated by `python scripts/compatibility.py` from the rule families' `FUNCTIONS` and `STATEMENTS` "
             "declarations (`lakebox/dialects/*.py`) and the conformance cases (`tests/conformance/<dialect>/"
             "*.yaml`). Do not edit by hand: a test fails when this file is out of date.", "",
             "Status: **supported** answers as the service does (values, types, NULLs, errors); **partial** "
             "says how it differs; **not supported** raises an error or is not verified.", ""]
    for dialect in DIALECTS:
        functions, statements = data[dialect]["functions"], data[dialect]["statements"]
        counts = {s: sum(e.status == s for e in functions) for s in STATUSES}
        total_cases = sum(e.cases for e in functions) + sum(e.cases for e in statements)
        statement_counts = {s: sum(e.status == s for e in statements) for s in STATUSES}
        lines += [f"## {TITLES[dialect]}", "",
                  f"{len(statements)} statement families: {statement_counts['supported']} supported, "
                  f"{statement_counts['partial']} partial, {statement_counts['not supported']} not supported. "
                  f"{len(functions)} functions and operators: {counts['supported']} supported, {counts['partial']} "
                  f"partial, {counts['not supported']} not supported. {total_cases} conformance cases.", ""]
        if statements:
            lines += ["### Statements", "",
                      "Each family is run by its conformance cases (`tests/conformance/" + dialect + "/statements.yaml`); "
                      "a statement lakebox does not run raises NotSupportedError naming it.", ""]
            lines += _statement_table(statements) + [""]
        lines += ["### Functions and operators", ""] + _table(functions) + [""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when docs/compatibility.md is out of date")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = OUTPUT.read_text() if OUTPUT.exists() else ""
        if current != text:
            print("docs/compatibility.md is out of date: run python scripts/compatibility.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text)
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
