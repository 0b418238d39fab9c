"""The functions pg_proc lists: those the session's dialect declares, with the services' signatures.

The dialect families declare which functions lakebox supports (lakebox/dialects, `FUNCTIONS`);
this module adds what PostgreSQL's pg_proc needs and the declarations do not say: argument and
result types, and the kind (plain, aggregate, window).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lakebox.dialects.rules import STATUSES, declarations
from lakebox.server import types as pgt


#: Pseudo-types that pg_proc's signatures need and PostgreSQL's pg_type has (oid, name, display, length).
PSEUDO_TYPES = [(2276, "any", '"any"', 4), (2283, "anyelement", "anyelement", 4), (2277, "anyarray", "anyarray", -1)]

# The services' documented signatures of the functions lakebox's dialect families declare
# (lakebox/dialects/*.py, FUNCTIONS): Trino's function reference for Athena, Amazon Redshift's SQL
# reference for Redshift. One line per overload: `[agg|window] name(argument types) -> result`, in
# PostgreSQL's type names; `type?` marks an optional trailing argument (one overload per arity);
# `VARIADIC t[]` and `VARIADIC "any"` as in PostgreSQL; anyelement/anyarray stand for "the type of
# the argument" (Trino's T, array(T)) and maps are json, as the wire sends them. A declared function
# without a line here is listed with `VARIADIC "any"` arguments and an `unknown` result: lakebox
# does not claim a signature it has not written down.
_ATHENA_SIGNATURES = """
abs(anyelement) -> anyelement
all_match(anyarray, "any") -> bool
any_match(anyarray, "any") -> bool
none_match(anyarray, "any") -> bool
agg any_value(anyelement) -> anyelement
agg approx_distinct("any", float8?) -> int8
agg approx_percentile(anyelement, float8) -> anyelement
agg approx_percentile(anyelement, float8[]) -> anyarray
agg arbitrary(anyelement) -> anyelement
agg array_agg(anyelement) -> anyarray
array_distinct(anyarray) -> anyarray
array_except(anyarray, anyarray) -> anyarray
array_intersect(anyarray, anyarray) -> anyarray
array_join(anyarray, varchar, varchar?) -> varchar
array_max(anyarray) -> anyelement
array_min(anyarray) -> anyelement
array_position(anyarray, anyelement) -> int8
array_remove(anyarray, anyelement) -> anyarray
array_sort(anyarray) -> anyarray
array_union(anyarray, anyarray) -> anyarray
arrays_overlap(anyarray, anyarray) -> bool
at_timezone(timestamptz, varchar) -> timestamptz
agg avg(float8) -> float8
agg avg(numeric) -> numeric
agg bitwise_and_agg(int8) -> int8
agg bitwise_or_agg(int8) -> int8
agg bool_and(bool) -> bool
agg bool_or(bool) -> bool
cardinality(anyarray) -> int8
cardinality(json) -> int8
cbrt(float8) -> float8
ceil(anyelement) -> anyelement
chr(int8) -> varchar
codepoint(varchar) -> int4
concat(VARIADIC varchar[]) -> varchar
concat(anyarray, anyarray) -> anyarray
concat_ws(varchar, VARIADIC varchar[]) -> varchar
contains(anyarray, anyelement) -> bool
agg corr(float8, float8) -> float8
agg count_if(bool) -> int8
agg covar_pop(float8, float8) -> float8
agg covar_samp(float8, float8) -> float8
window cume_dist() -> float8
current_date() -> date
current_timestamp() -> timestamptz
current_timezone() -> varchar
date(varchar) -> date
date(timestamp) -> date
date(timestamptz) -> date
date_add(varchar, int8, anyelement) -> anyelement
date_diff(varchar, anyelement, anyelement) -> int8
date_format(timestamp, varchar) -> varchar
date_format(timestamptz, varchar) -> varchar
date_parse(varchar, varchar) -> timestamp
date_trunc(varchar, anyelement) -> anyelement
day(anyelement) -> int8
day_of_month(anyelement) -> int8
day_of_week(anyelement) -> int8
day_of_year(anyelement) -> int8
degrees(float8) -> float8
window dense_rank() -> int8
dow(anyelement) -> int8
doy(anyelement) -> int8
e() -> float8
element_at(anyarray, int8) -> anyelement
ends_with(varchar, varchar) -> bool
agg every(bool) -> bool
exp(float8) -> float8
filter(anyarray, "any") -> anyarray
window first_value(anyelement) -> anyelement
flatten(anyarray) -> anyarray
floor(anyelement) -> anyelement
format(varchar, VARIADIC "any") -> varchar
format_datetime(timestamp, varchar) -> varchar
format_datetime(timestamptz, varchar) -> varchar
from_base(varchar, int8) -> int8
from_base64(varchar) -> bytea
from_hex(varchar) -> bytea
from_iso8601_date(varchar) -> date
from_iso8601_timestamp(varchar) -> timestamptz
from_unixtime(float8) -> timestamptz
from_unixtime(float8, varchar) -> timestamptz
from_unixtime_nanos(numeric) -> timestamptz
from_utf8(bytea, varchar?) -> varchar
agg geometric_mean(float8) -> float8
hamming_distance(varchar, varchar) -> int8
agg histogram(anyelement) -> json
hour(anyelement) -> int8
human_readable_seconds(float8) -> varchar
infinity() -> float8
is_finite(float8) -> bool
is_infinite(float8) -> bool
is_json_scalar(json) -> bool
is_nan(float8) -> bool
json_array_contains(json, anyelement) -> bool
json_array_get(json, int8) -> json
json_array_length(json) -> int8
json_extract(json, varchar) -> json
json_extract_scalar(json, varchar) -> varchar
json_format(json) -> varchar
json_parse(varchar) -> json
json_size(json, varchar) -> int8
agg kurtosis(float8) -> float8
window lag(anyelement, int8?, anyelement?) -> anyelement
last_day_of_month(anyelement) -> date
window last_value(anyelement) -> anyelement
window lead(anyelement, int8?, anyelement?) -> anyelement
length(varchar) -> int8
levenshtein_distance(varchar, varchar) -> int8
agg listagg(varchar, varchar) -> varchar
ln(float8) -> float8
localtimestamp() -> timestamp
log10(float8) -> float8
log2(float8) -> float8
lower(varchar) -> varchar
lpad(varchar, int8, varchar) -> varchar
ltrim(varchar, varchar?) -> varchar
luhn_check(varchar) -> bool
map() -> json
map(anyarray, anyarray) -> json
agg map_agg(anyelement, "any") -> json
map_concat(VARIADIC json[]) -> json
map_entries(json) -> anyarray
map_filter(json, "any") -> json
map_from_entries(anyarray) -> json
map_keys(json) -> anyarray
agg map_union(json) -> json
map_values(json) -> anyarray
agg max(anyelement) -> anyelement
agg max(anyelement, int8) -> anyarray
agg max_by(anyelement, "any") -> anyelement
md5(bytea) -> bytea
millisecond(anyelement) -> int8
agg min(anyelement) -> anyelement
agg min(anyelement, int8) -> anyarray
agg min_by(anyelement, "any") -> anyelement
minute(anyelement) -> int8
mod(anyelement, anyelement) -> anyelement
month(anyelement) -> int8
agg multimap_agg(anyelement, "any") -> json
multimap_from_entries(anyarray) -> json
nan() -> float8
ngrams(anyarray, int8) -> anyarray
normalize(varchar) -> varchar
now() -> timestamptz
window nth_value(anyelement, int8) -> anyelement
window ntile(int8) -> int8
parse_datetime(varchar, varchar) -> timestamptz
parse_duration(varchar) -> interval
window percent_rank() -> float8
pi() -> float8
power(float8, float8) -> float8
quarter(anyelement) -> int8
radians(float8) -> float8
window rank() -> int8
reduce(anyarray, "any", "any", "any") -> unknown
regexp_count(varchar, varchar) -> int8
regexp_extract(varchar, varchar, int8?) -> varchar
regexp_extract_all(varchar, varchar, int8?) -> varchar[]
regexp_like(varchar, varchar) -> bool
regexp_position(varchar, varchar, int8?, int8?) -> int4
regexp_replace(varchar, varchar, varchar?) -> varchar
regexp_replace(varchar, varchar, "any") -> varchar
regexp_split(varchar, varchar) -> varchar[]
agg regr_intercept(float8, float8) -> float8
agg regr_slope(float8, float8) -> float8
repeat(anyelement, int8) -> anyarray
replace(varchar, varchar, varchar?) -> varchar
reverse(varchar) -> varchar
reverse(anyarray) -> anyarray
round(anyelement, int8?) -> anyelement
window row_number() -> int8
rpad(varchar, int8, varchar) -> varchar
rtrim(varchar, varchar?) -> varchar
second(anyelement) -> int8
sequence(int8, int8, int8?) -> int8[]
sequence(date, date, interval?) -> date[]
sequence(timestamp, timestamp, interval) -> timestamp[]
sha256(bytea) -> bytea
sign(anyelement) -> anyelement
agg skewness(float8) -> float8
slice(anyarray, int8, int8) -> anyarray
split(varchar, varchar, int8?) -> varchar[]
split_part(varchar, varchar, int8) -> varchar
split_to_map(varchar, varchar, varchar) -> json
split_to_multimap(varchar, varchar, varchar) -> json
sqrt(float8) -> float8
starts_with(varchar, varchar) -> bool
agg stddev(float8) -> float8
agg stddev_pop(float8) -> float8
agg stddev_samp(float8) -> float8
strpos(varchar, varchar, int8?) -> int8
substr(varchar, int8, int8?) -> varchar
substring(varchar, int8, int8?) -> varchar
agg sum(int8) -> int8
agg sum(float4) -> float4
agg sum(float8) -> float8
agg sum(numeric) -> numeric
timezone_hour(timestamptz) -> int8
timezone_minute(timestamptz) -> int8
to_base(int8, int8) -> varchar
to_base64(bytea) -> varchar
to_hex(bytea) -> varchar
to_iso8601(anyelement) -> varchar
to_milliseconds(interval) -> int8
to_unixtime(timestamptz) -> float8
to_utf8(varchar) -> bytea
transform(anyarray, "any") -> anyarray
transform_keys(json, "any") -> json
transform_values(json, "any") -> json
translate(varchar, varchar, varchar) -> varchar
trim(varchar, varchar?) -> varchar
trim_array(anyarray, int8) -> anyarray
truncate(float8) -> float8
truncate(numeric, int8) -> numeric
typeof("any") -> varchar
upper(varchar) -> varchar
url_decode(varchar) -> varchar
url_encode(varchar) -> varchar
url_extract_fragment(varchar) -> varchar
url_extract_host(varchar) -> varchar
url_extract_parameter(varchar, varchar) -> varchar
url_extract_path(varchar) -> varchar
url_extract_port(varchar) -> int8
url_extract_protocol(varchar) -> varchar
url_extract_query(varchar) -> varchar
uuid() -> uuid
agg var_pop(float8) -> float8
agg var_samp(float8) -> float8
agg variance(float8) -> float8
week(anyelement) -> int8
week_of_year(anyelement) -> int8
width_bucket(float8, float8, float8, int8) -> int8
width_bucket(float8, float8[]) -> int8
with_timezone(timestamp, varchar) -> timestamptz
year(anyelement) -> int8
year_of_week(anyelement) -> int8
yow(anyelement) -> int8
zip(anyarray, anyarray) -> anyarray
zip_with(anyarray, anyarray, "any") -> anyarray
"""

_REDSHIFT_SIGNATURES = """
abs(anyelement) -> anyelement
acos(float8) -> float8
add_months(date, int8) -> timestamp
add_months(timestamp, int8) -> timestamp
ascii(varchar) -> int4
asin(float8) -> float8
atan(float8) -> float8
atan2(float8, float8) -> float8
agg avg(int8) -> int8
agg avg(numeric) -> numeric
agg avg(float8) -> float8
agg bool_and(bool) -> bool
agg bool_or(bool) -> bool
bpcharcmp(bpchar, bpchar) -> int4
btrim(varchar, varchar?) -> varchar
can_json_parse(varchar) -> bool
cbrt(float8) -> float8
ceil(anyelement) -> anyelement
ceiling(anyelement) -> anyelement
character_length(varchar) -> int4
char_length(varchar) -> int4
charindex(varchar, varchar) -> int4
chr(int4) -> bpchar
coalesce(VARIADIC anyarray) -> anyelement
concat(varchar, varchar) -> varchar
convert_timezone(varchar, timestamp) -> timestamp
convert_timezone(varchar, varchar, timestamp) -> timestamp
cos(float8) -> float8
cot(float8) -> float8
agg count() -> int8
agg count("any") -> int8
current_date() -> date
dateadd(text, int8, date) -> timestamp
dateadd(text, int8, timestamp) -> timestamp
datediff(text, anyelement, anyelement) -> int8
date_cmp(date, date) -> int4
date_cmp_timestamp(date, timestamp) -> int4
date_part(text, anyelement) -> float8
date_part_year(date) -> int4
date_trunc(text, timestamp) -> timestamp
degrees(float8) -> float8
dexp(float8) -> float8
dlog1(float8) -> float8
dlog10(float8) -> float8
exp(float8) -> float8
window first_value(anyelement) -> anyelement
floor(anyelement) -> anyelement
func_sha1(varchar) -> varchar
getdate() -> timestamp
greatest(VARIADIC anyarray) -> anyelement
initcap(varchar) -> varchar
is_valid_json(varchar) -> bool
is_valid_json_array(varchar) -> bool
json_array_length(varchar, bool?) -> int4
json_extract_array_element_text(varchar, int4, bool?) -> varchar
json_extract_path_text(varchar, VARIADIC varchar[]) -> varchar
window lag(anyelement, int4?) -> anyelement
last_day(date) -> date
window last_value(anyelement) -> anyelement
window lead(anyelement, int4?) -> anyelement
least(VARIADIC anyarray) -> anyelement
left(varchar, int4) -> varchar
len(varchar) -> int4
length(varchar) -> int4
agg listagg(varchar, varchar?) -> varchar
ln(float8) -> float8
log(float8) -> float8
lower(varchar) -> varchar
lpad(varchar, int4, varchar?) -> varchar
ltrim(varchar, varchar?) -> varchar
agg max(anyelement) -> anyelement
md5(varchar) -> varchar
agg median(anyelement) -> anyelement
agg min(anyelement) -> anyelement
mod(anyelement, anyelement) -> anyelement
months_between(date, date) -> float8
next_day(date, varchar) -> date
window nth_value(anyelement, int4) -> anyelement
nullif(anyelement, anyelement) -> anyelement
nvl(VARIADIC anyarray) -> anyelement
nvl2("any", anyelement, anyelement) -> anyelement
octetindex(varchar, varchar) -> int4
octet_length(varchar) -> int4
agg percentile_cont(float8) -> unknown
pgdate_part(text, anyelement) -> float8
pg_typeof("any") -> regtype
pi() -> float8
power(float8, float8) -> float8
quote_ident(varchar) -> varchar
quote_literal(varchar) -> varchar
radians(float8) -> float8
random() -> float8
regexp_count(varchar, varchar, int4?, varchar?) -> int4
regexp_instr(varchar, varchar, int4?, int4?, int4?, varchar?) -> int4
regexp_replace(varchar, varchar, varchar?, int4?, varchar?) -> varchar
regexp_substr(varchar, varchar, int4?, int4?, varchar?) -> varchar
repeat(varchar, int4) -> varchar
replace(varchar, varchar, varchar) -> varchar
replicate(varchar, int4) -> varchar
reverse(varchar) -> varchar
right(varchar, int4) -> varchar
round(anyelement, int4?) -> anyelement
window row_number() -> int8
window rank() -> int8
window dense_rank() -> int8
window ntile(int4) -> int8
window percent_rank() -> float8
window cume_dist() -> float8
rpad(varchar, int4, varchar?) -> varchar
rtrim(varchar, varchar?) -> varchar
sha1(varchar) -> varchar
sha2(varchar, int4) -> varchar
sign(anyelement) -> anyelement
sin(float8) -> float8
split_part(varchar, varchar, int4) -> varchar
sqrt(float8) -> float8
agg stddev(numeric) -> numeric
agg stddev(float8) -> float8
agg variance(numeric) -> numeric
agg variance(float8) -> float8
strpos(varchar, varchar) -> int4
strtol(varchar, int4) -> int8
substr(varchar, int4, int4?) -> varchar
substring(varchar, int4, int4?) -> varchar
agg sum(int8) -> int8
agg sum(numeric) -> numeric
agg sum(float8) -> float8
sysdate() -> timestamp
tan(float8) -> float8
textlen(varchar) -> int4
timeofday() -> varchar
timestamp_cmp(timestamp, timestamp) -> int4
timestamp_cmp_date(timestamp, date) -> int4
to_char(timestamp, varchar) -> varchar
to_char(numeric, varchar) -> varchar
to_date(varchar, varchar, bool?) -> date
to_number(varchar, varchar) -> numeric
to_timestamp(varchar, varchar, bool?) -> timestamptz
translate(varchar, varchar, varchar) -> varchar
trim(varchar, varchar?) -> varchar
trunc(anyelement, int4?) -> anyelement
trunc(timestamp) -> date
upper(varchar) -> varchar
"""

#: Declared names that are syntax, not functions one calls by name (PostgreSQL's pg_proc has none of these either).
_SYNTAX_NAMES = {"case", "cast", "try_cast", "like", "ilike", "unnest", "extract", "position", "convert", "top"}
VOLATILE = {"random", "rand", "uuid", "timeofday"}
STABLE = {"now", "current_date", "current_timestamp", "current_timezone", "localtimestamp", "getdate", "sysdate"}


@dataclass(frozen=True)
class Function:
    name: str
    kind: str  # f | a | w
    arguments: tuple[int, ...]
    result: int  # a type OID; 705 (unknown) when lakebox has not written the result type down
    variadic: int  # the element type of a VARIADIC last argument, or 0
    status: str
    how: str


def _type_oid(name: str) -> int:
    name = name.strip()
    if name.endswith("[]"):
        base = _type_oid(name[:-2])
        array = pgt.ALL_TYPES[base].array_oid if base in pgt.ALL_TYPES else 0
        if not array:
            raise ValueError(f"no array type of {name[:-2]}")
        return array
    for oid, typname, display, _ in PSEUDO_TYPES:
        if name in (typname, display):
            return oid
    for oid, t in pgt.ALL_TYPES.items():
        if t.name == name:
            return oid
    raise ValueError(f"unknown type {name!r} in a function signature")


_SIGNATURE = re.compile(r"^(?:(agg|window)\s+)?([a-z_][a-z0-9_]*)\((.*)\)\s*->\s*(\S+)$")


def _parse_signatures(text: str) -> dict[str, list[tuple[str, tuple[int, ...], int, int]]]:
    """{name: [(kind, argument OIDs, result OID, variadic element OID)]}, optional arguments expanded."""
    found: dict[str, list] = {}
    for line in text.strip().splitlines():
        match = _SIGNATURE.match(line.strip())
        if not match:
            raise ValueError(f"bad signature line {line!r}")
        kind = {"agg": "a", "window": "w"}.get(match.group(1) or "", "f")
        name, args_text, result = match.group(2), match.group(3).strip(), match.group(4)
        required, optional, variadic = [], [], 0
        for arg in [a.strip() for a in args_text.split(",")] if args_text else []:
            if arg.startswith("VARIADIC "):
                arg = arg[len("VARIADIC "):]
                oid = _type_oid(arg)
                variadic = {2276: 2276, 2277: 2283}.get(oid) or pgt.ALL_TYPES[oid].element
                required.append(oid)
            elif arg.endswith("?"):
                optional.append(_type_oid(arg[:-1]))
            else:
                required.append(_type_oid(arg))
        for extra in range(len(optional) + 1):
            found.setdefault(name, []).append((kind, tuple(required + optional[:extra]), _type_oid(result), variadic))
    return found


_SIGNATURES = {"athena": _ATHENA_SIGNATURES, "redshift": _REDSHIFT_SIGNATURES}


def _declared_functions(dialect: str) -> dict[str, tuple[str, str]]:
    """{name: (status, how)} of the functions the dialect's families declare supported or partial."""
    found: dict[str, tuple[str, str]] = {}
    for label, declared in declarations("FUNCTIONS")[dialect].items():
        for part in re.sub(r"\(.*\)", "", label).split("/"):  # "cast / :: (to varchar(n) / char(n))"
            name = part.strip()
            if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or name in _SYNTAX_NAMES:
                continue
            known = found.get(name)
            if known is None or STATUSES.index(declared.status) > STATUSES.index(known[0]):
                found[name] = (declared.status, str(declared.how))
    return {name: v for name, v in found.items() if v[0] != "not supported"}


_functions_cache: dict[str, tuple[Function, ...]] = {}


def functions(dialect: str) -> tuple[Function, ...]:
    """pg_proc's rows for a dialect: every function its families declare supported or partial."""
    cached = _functions_cache.get(dialect)
    if cached is not None:
        return cached
    signatures = _parse_signatures(_SIGNATURES.get(dialect, ""))
    result = []
    for name, (status, how) in sorted(_declared_functions(dialect).items()):
        overloads = signatures.get(name) or [("f", (2276,), 705, 2276)]
        for kind, arguments, returns, variadic in overloads:
            result.append(Function(name, kind, arguments, returns, variadic, status, how))
    _functions_cache[dialect] = tuple(result)
    return _functions_cache[dialect]
