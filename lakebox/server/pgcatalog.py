"""pg_catalog and information_schema, emulated over lakebox's Glue-shaped catalog.

Clients introspect with PostgreSQL's own SQL (psql's \\d, pgJDBC's DatabaseMetaData,
SQLAlchemy's inspector, psycopg's and asyncpg's type lookups). We answer them with a private,
in-memory DuckDB that holds the catalog tables PostgreSQL 15 has (built from lakebox's catalog:
Glue databases and Redshift external schemas are schemas, tables and views are relations; pg_proc
lists the functions the session's dialect supports, in pg_catalog as PostgreSQL's built-ins are), plus
macros for PostgreSQL's catalog functions. The incoming SQL is parsed with sqlglot's postgres
dialect, rewritten (schema-qualified catalog names, OPERATOR(pg_catalog.~), COLLATE, ::regclass,
session functions such as current_schema() or set_config()) and run there; it never reaches the
engine or the files. The database is rebuilt when lakebox's catalog changes.
"""

from __future__ import annotations

import hashlib
import re
import threading
import zlib
from dataclasses import dataclass

import duckdb
import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

from lakebox import errors
from lakebox.catalog.model import MANAGED_TABLE, Table
from lakebox.server import sandbox
from lakebox.server.pgfunctions import PSEUDO_TYPES, STABLE, VOLATILE, Function, functions
from lakebox.server import types as pgt

PG_CATALOG_NS = 11
INFORMATION_SCHEMA_NS = 13000
PUBLIC_NS = 2200
USER_OID = 10
DATABASE_OID = 16384

_SYSTEM_OIDS = {
    "pg_class": 1259, "pg_attribute": 1249, "pg_proc": 1255, "pg_type": 1247, "pg_namespace": 2615,
    "pg_constraint": 2606, "pg_description": 2609, "pg_index": 2610, "pg_database": 1262, "pg_am": 2601,
    "pg_attrdef": 2604, "pg_authid": 1260, "pg_collation": 3456, "pg_inherits": 2611, "pg_trigger": 2620,
    "pg_rewrite": 2618, "pg_tablespace": 1213, "pg_depend": 2608, "pg_operator": 2617, "pg_cast": 2605,
    "pg_language": 2612, "pg_enum": 3501, "pg_range": 3541, "pg_extension": 3079, "pg_foreign_table": 3118,
    "pg_sequence": 2224, "pg_policy": 3256, "pg_statistic_ext": 3381, "pg_publication": 6104,
    "pg_publication_rel": 6106, "pg_shdescription": 2396, "pg_opclass": 2616, "pg_partitioned_table": 3350,
    "pg_auth_members": 1261, "pg_foreign_server": 1417, "pg_foreign_data_wrapper": 2328, "pg_conversion": 2607,
    "pg_event_trigger": 3466, "pg_default_acl": 826, "pg_init_privs": 3394, "pg_seclabel": 3596,
    "pg_aggregate": 2600, "pg_ts_config": 3602, "pg_subscription": 6100, "pg_statistic_ext_data": 3429,
    "pg_publication_namespace": 6237,
}
_SYSTEM_VIEWS = {"pg_roles", "pg_user", "pg_settings", "pg_stat_activity", "pg_locks", "pg_prepared_xacts",
                 "pg_stat_user_tables", "pg_statio_user_tables", "pg_matviews", "pg_tables", "pg_views",
                 "pg_indexes", "pg_sequences", "pg_timezone_names", "pg_available_extensions"}
_DUCK_TO_PG = {"UINTEGER": pgt.OID, "VARCHAR": 19, "SMALLINT": pgt.INT2, "INTEGER": pgt.INT4, "BIGINT": pgt.INT8,
               "BOOLEAN": pgt.BOOL, "REAL": pgt.FLOAT4, "TIMESTAMPTZ": pgt.TIMESTAMPTZ, "INTERVAL": pgt.INTERVAL,
               "VARCHAR[]": 1009, "UINTEGER[]": 1028, "SMALLINT[]": 1005}

_CATALOG_SCHEMAS = {"pg_catalog": "lb_pg_catalog", "information_schema": "lb_information_schema"}


# --------------------------------------------------------------------------- table definitions

def _cols(spec: str) -> list[tuple[str, str]]:
    out = []
    for item in spec.split(","):
        item = item.strip()
        if item:
            name, _, kind = item.partition(" ")
            out.append((name, kind.strip() or "VARCHAR"))
    return out


O, T, I2, I4, I8, B, F4 = "UINTEGER", "VARCHAR", "SMALLINT", "INTEGER", "BIGINT", "BOOLEAN", "REAL"

PG_TABLES: dict[str, list[tuple[str, str]]] = {
    "pg_namespace": _cols(f"oid {O}, nspname, nspowner {O}, nspacl VARCHAR[]"),
    "pg_class": _cols(
        f"oid {O}, relname, relnamespace {O}, reltype {O}, reloftype {O}, relowner {O}, relam {O}, "
        f"relfilenode {O}, reltablespace {O}, relpages {I4}, reltuples {F4}, relallvisible {I4}, "
        f"reltoastrelid {O}, relhasindex {B}, relisshared {B}, relpersistence, relkind, relnatts {I2}, "
        f"relchecks {I2}, relhasrules {B}, relhastriggers {B}, relhassubclass {B}, relrowsecurity {B}, "
        f"relforcerowsecurity {B}, relispopulated {B}, relreplident, relispartition {B}, relrewrite {O}, "
        f"relfrozenxid {O}, relminmxid {O}, relacl VARCHAR[], reloptions VARCHAR[], relpartbound"),
    "pg_attribute": _cols(
        f"attrelid {O}, attname, atttypid {O}, attstattarget {I4}, attlen {I2}, attnum {I2}, attndims {I4}, "
        f"attcacheoff {I4}, atttypmod {I4}, attbyval {B}, attalign, attstorage, attcompression, "
        f"attnotnull {B}, atthasdef {B}, atthasmissing {B}, attidentity, attgenerated, attisdropped {B}, "
        f"attislocal {B}, attinhcount {I4}, attcollation {O}, attacl VARCHAR[], attoptions VARCHAR[], "
        f"attfdwoptions VARCHAR[], attmissingval VARCHAR[]"),
    "pg_type": _cols(
        f"oid {O}, typname, typnamespace {O}, typowner {O}, typlen {I2}, typbyval {B}, typtype, typcategory, "
        f"typispreferred {B}, typisdefined {B}, typdelim, typrelid {O}, typsubscript, typelem {O}, "
        f"typarray {O}, typinput, typoutput, typreceive, typsend, typmodin, typmodout, typanalyze, "
        f"typalign, typstorage, typnotnull {B}, typbasetype {O}, typtypmod {I4}, typndims {I4}, "
        f"typcollation {O}, typdefaultbin, typdefault, typacl VARCHAR[]"),
    "pg_database": _cols(
        f"oid {O}, datname, datdba {O}, encoding {I4}, datlocprovider, datistemplate {B}, datallowconn {B}, "
        f"datconnlimit {I4}, datfrozenxid {O}, datminmxid {O}, dattablespace {O}, datcollate, datctype, "
        f"daticulocale, datcollversion, datacl VARCHAR[]"),
    "pg_authid": _cols(
        f"oid {O}, rolname, rolsuper {B}, rolinherit {B}, rolcreaterole {B}, rolcreatedb {B}, rolcanlogin {B}, "
        f"rolreplication {B}, rolbypassrls {B}, rolconnlimit {I4}, rolpassword, rolvaliduntil TIMESTAMPTZ"),
    "pg_roles": _cols(
        f"rolname, rolsuper {B}, rolinherit {B}, rolcreaterole {B}, rolcreatedb {B}, rolcanlogin {B}, "
        f"rolreplication {B}, rolconnlimit {I4}, rolpassword, rolvaliduntil TIMESTAMPTZ, rolbypassrls {B}, "
        f"rolconfig VARCHAR[], oid {O}"),
    "pg_user": _cols(
        f"usename, usesysid {O}, usecreatedb {B}, usesuper {B}, userepl {B}, usebypassrls {B}, passwd, "
        f"valuntil TIMESTAMPTZ, useconfig VARCHAR[]"),
    "pg_auth_members": _cols(f"oid {O}, roleid {O}, member {O}, grantor {O}, admin_option {B}"),
    "pg_proc": _cols(
        f"oid {O}, proname, pronamespace {O}, proowner {O}, prolang {O}, procost {F4}, prorows {F4}, "
        f"provariadic {O}, prosupport, prokind, prosecdef {B}, proleakproof {B}, proisstrict {B}, "
        f"proretset {B}, provolatile, proparallel, pronargs {I2}, pronargdefaults {I2}, prorettype {O}, "
        f"proargtypes {O}[], proallargtypes {O}[], proargmodes VARCHAR[], proargnames VARCHAR[], "
        f"proargdefaults, protrftypes {O}[], prosrc, probin, prosqlbody, proconfig VARCHAR[], proacl VARCHAR[]"),
    "pg_description": _cols(f"objoid {O}, classoid {O}, objsubid {I4}, description"),
    "pg_shdescription": _cols(f"objoid {O}, classoid {O}, description"),
    "pg_index": _cols(
        f"indexrelid {O}, indrelid {O}, indnatts {I2}, indnkeyatts {I2}, indisunique {B}, "
        f"indnullsnotdistinct {B}, indisprimary {B}, indisexclusion {B}, indimmediate {B}, "
        f"indisclustered {B}, indisvalid {B}, indcheckxmin {B}, indisready {B}, indislive {B}, "
        f"indisreplident {B}, indkey {I2}[], indcollation {O}[], indclass {O}[], indoption {I2}[], "
        f"indexprs, indpred"),
    "pg_constraint": _cols(
        f"oid {O}, conname, connamespace {O}, contype, condeferrable {B}, condeferred {B}, convalidated {B}, "
        f"conrelid {O}, contypid {O}, conindid {O}, conparentid {O}, confrelid {O}, confupdtype, confdeltype, "
        f"confmatchtype, conislocal {B}, coninhcount {I4}, connoinherit {B}, conkey {I2}[], confkey {I2}[], "
        f"conpfeqop {O}[], conppeqop {O}[], conffeqop {O}[], confdelsetcols {I2}[], conexclop {O}[], conbin, "
        f"lb_def"),
    "pg_attrdef": _cols(f"oid {O}, adrelid {O}, adnum {I2}, adbin"),
    "pg_am": _cols(f"oid {O}, amname, amhandler, amtype"),
    "pg_inherits": _cols(f"inhrelid {O}, inhparent {O}, inhseqno {I4}, inhdetachpending {B}"),
    "pg_trigger": _cols(
        f"oid {O}, tgrelid {O}, tgparentid {O}, tgname, tgfoid {O}, tgtype {I2}, tgenabled, tgisinternal {B}, "
        f"tgconstrrelid {O}, tgconstrindid {O}, tgconstraint {O}, tgdeferrable {B}, tginitdeferred {B}, "
        f"tgnargs {I2}, tgattr {I2}[], tgargs, tgqual, tgoldtable, tgnewtable"),
    "pg_rewrite": _cols(f"oid {O}, rulename, ev_class {O}, ev_type, ev_enabled, is_instead {B}, ev_qual, ev_action"),
    "pg_policy": _cols(f"oid {O}, polname, polrelid {O}, polcmd, polpermissive {B}, polroles {O}[], polqual, "
                       "polwithcheck"),
    "pg_statistic_ext": _cols(f"oid {O}, stxrelid {O}, stxname, stxnamespace {O}, stxowner {O}, "
                              f"stxstattarget {I4}, stxkeys {I2}[], stxkind VARCHAR[], stxexprs"),
    "pg_statistic_ext_data": _cols(f"stxoid {O}, stxdinherit {B}"),
    "pg_publication": _cols(f"oid {O}, pubname, pubowner {O}, puballtables {B}, pubinsert {B}, pubupdate {B}, "
                            f"pubdelete {B}, pubtruncate {B}, pubviaroot {B}"),
    "pg_publication_rel": _cols(f"oid {O}, prpubid {O}, prrelid {O}, prqual, prattrs {I2}[]"),
    "pg_publication_namespace": _cols(f"oid {O}, pnpubid {O}, pnnspid {O}"),
    "pg_subscription": _cols(f"oid {O}, subdbid {O}, subname, subowner {O}, subenabled {B}"),
    "pg_collation": _cols(f"oid {O}, collname, collnamespace {O}, collowner {O}, collprovider, "
                          f"collisdeterministic {B}, collencoding {I4}, collcollate, collctype, colliculocale, "
                          "collversion"),
    "pg_tablespace": _cols(f"oid {O}, spcname, spcowner {O}, spcacl VARCHAR[], spcoptions VARCHAR[]"),
    "pg_settings": _cols("name, setting, unit, category, short_desc, extra_desc, context, vartype, source, "
                         f"min_val, max_val, enumvals VARCHAR[], boot_val, reset_val, sourcefile, sourceline {I4}, "
                         f"pending_restart {B}"),
    "pg_range": _cols(f"rngtypid {O}, rngsubtype {O}, rngmultitypid {O}, rngcollation {O}, rngsubopc {O}, "
                      "rngcanonical, rngsubdiff"),
    "pg_enum": _cols(f"oid {O}, enumtypid {O}, enumsortorder {F4}, enumlabel"),
    "pg_extension": _cols(f"oid {O}, extname, extowner {O}, extnamespace {O}, extrelocatable {B}, extversion, "
                          f"extconfig {O}[], extcondition VARCHAR[]"),
    "pg_foreign_table": _cols(f"ftrelid {O}, ftserver {O}, ftoptions VARCHAR[]"),
    "pg_foreign_server": _cols(f"oid {O}, srvname, srvowner {O}, srvfdw {O}, srvtype, srvversion, "
                               "srvacl VARCHAR[], srvoptions VARCHAR[]"),
    "pg_foreign_data_wrapper": _cols(f"oid {O}, fdwname, fdwowner {O}, fdwhandler {O}, fdwvalidator {O}, "
                                     "fdwacl VARCHAR[], fdwoptions VARCHAR[]"),
    "pg_partitioned_table": _cols(f"partrelid {O}, partstrat, partnatts {I2}, partdefid {O}, partattrs {I2}[], "
                                  f"partclass {O}[], partcollation {O}[], partexprs"),
    "pg_sequence": _cols(f"seqrelid {O}, seqtypid {O}, seqstart {I8}, seqincrement {I8}, seqmax {I8}, "
                         f"seqmin {I8}, seqcache {I8}, seqcycle {B}"),
    "pg_depend": _cols(f"classid {O}, objid {O}, objsubid {I4}, refclassid {O}, refobjid {O}, "
                       f"refobjsubid {I4}, deptype"),
    "pg_opclass": _cols(f"oid {O}, opcmethod {O}, opcname, opcnamespace {O}, opcowner {O}, opcfamily {O}, "
                        f"opcintype {O}, opcdefault {B}, opckeytype {O}"),
    "pg_operator": _cols(f"oid {O}, oprname, oprnamespace {O}, oprowner {O}, oprkind, oprcanmerge {B}, "
                         f"oprcanhash {B}, oprleft {O}, oprright {O}, oprresult {O}, oprcom {O}, oprnegate {O}, "
                         "oprcode, oprrest, oprjoin"),
    "pg_language": _cols(f"oid {O}, lanname, lanowner {O}, lanispl {B}, lanpltrusted {B}, lanplcallfoid {O}, "
                         f"laninline {O}, lanvalidator {O}, lanacl VARCHAR[]"),
    "pg_cast": _cols(f"oid {O}, castsource {O}, casttarget {O}, castfunc {O}, castcontext, castmethod"),
    "pg_conversion": _cols(f"oid {O}, conname, connamespace {O}, conowner {O}, conforencoding {I4}, "
                           f"contoencoding {I4}, conproc, condefault {B}"),
    "pg_event_trigger": _cols(f"oid {O}, evtname, evtevent, evtowner {O}, evtfoid {O}, evtenabled, "
                              "evttags VARCHAR[]"),
    "pg_default_acl": _cols(f"oid {O}, defaclrole {O}, defaclnamespace {O}, defaclobjtype, defaclacl VARCHAR[]"),
    "pg_init_privs": _cols(f"objoid {O}, classoid {O}, objsubid {I4}, privtype, initprivs VARCHAR[]"),
    "pg_seclabel": _cols(f"objoid {O}, classoid {O}, objsubid {I4}, provider, label"),
    "pg_aggregate": _cols(f"aggfnoid {O}, aggkind, aggnumdirectargs {I2}"),
    "pg_ts_config": _cols(f"oid {O}, cfgname, cfgnamespace {O}"),
    "pg_stat_activity": _cols(f"datid {O}, datname, pid {I4}, usesysid {O}, usename, application_name, "
                              "client_addr, client_hostname, client_port INTEGER, backend_start TIMESTAMPTZ, "
                              "xact_start TIMESTAMPTZ, query_start TIMESTAMPTZ, state_change TIMESTAMPTZ, "
                              "wait_event_type, wait_event, state, backend_xid, backend_xmin, query, backend_type"),
    "pg_locks": _cols(f"locktype, database {O}, relation {O}, pid {I4}, mode, granted {B}"),
    "pg_prepared_xacts": _cols(f"transaction {O}, gid, prepared TIMESTAMPTZ, owner, database"),
    "pg_stat_user_tables": _cols(f"relid {O}, schemaname, relname, seq_scan {I8}, n_live_tup {I8}"),
    "pg_statio_user_tables": _cols(f"relid {O}, schemaname, relname"),
    "pg_matviews": _cols(f"schemaname, matviewname, matviewowner, tablespace, hasindexes {B}, ispopulated {B}, "
                         "definition"),
    "pg_tables": _cols(f"schemaname, tablename, tableowner, tablespace, hasindexes {B}, hasrules {B}, "
                       f"hastriggers {B}, rowsecurity {B}"),
    "pg_views": _cols("schemaname, viewname, viewowner, definition"),
    "pg_indexes": _cols("schemaname, tablename, indexname, tablespace, indexdef"),
    "pg_sequences": _cols(f"schemaname, sequencename, sequenceowner, data_type, start_value {I8}"),
    "pg_timezone_names": _cols(f"name, abbrev, utc_offset INTERVAL, is_dst {B}"),
    "pg_available_extensions": _cols("name, default_version, installed_version, comment"),
}

INFO_TABLES: dict[str, list[tuple[str, str]]] = {
    "schemata": _cols("catalog_name, schema_name, schema_owner, default_character_set_catalog, "
                      "default_character_set_schema, default_character_set_name, sql_path"),
    "tables": _cols("table_catalog, table_schema, table_name, table_type, self_referencing_column_name, "
                    "reference_generation, user_defined_type_catalog, user_defined_type_schema, "
                    "user_defined_type_name, is_insertable_into, is_typed, commit_action"),
    "columns": _cols(
        f"table_catalog, table_schema, table_name, column_name, ordinal_position {I4}, column_default, "
        f"is_nullable, data_type, character_maximum_length {I4}, character_octet_length {I4}, "
        f"numeric_precision {I4}, numeric_precision_radix {I4}, numeric_scale {I4}, datetime_precision {I4}, "
        f"interval_type, interval_precision {I4}, character_set_catalog, character_set_schema, "
        f"character_set_name, collation_catalog, collation_schema, collation_name, domain_catalog, "
        f"domain_schema, domain_name, udt_catalog, udt_schema, udt_name, scope_catalog, scope_schema, "
        f"scope_name, maximum_cardinality {I4}, dtd_identifier, is_self_referencing, is_identity, "
        f"identity_generation, identity_start, identity_increment, identity_maximum, identity_minimum, "
        f"identity_cycle, is_generated, generation_expression, is_updatable"),
    "views": _cols("table_catalog, table_schema, table_name, view_definition, check_option, is_updatable, "
                   "is_insertable_into, is_trigger_updatable, is_trigger_deletable, is_trigger_insertable_into"),
    "table_constraints": _cols("constraint_catalog, constraint_schema, constraint_name, table_catalog, "
                               "table_schema, table_name, constraint_type, is_deferrable, initially_deferred, "
                               "enforced, nulls_distinct"),
    "key_column_usage": _cols(f"constraint_catalog, constraint_schema, constraint_name, table_catalog, "
                              f"table_schema, table_name, column_name, ordinal_position {I4}, "
                              f"position_in_unique_constraint {I4}"),
    "referential_constraints": _cols("constraint_catalog, constraint_schema, constraint_name, "
                                     "unique_constraint_catalog, unique_constraint_schema, unique_constraint_name, "
                                     "match_option, update_rule, delete_rule"),
    "constraint_column_usage": _cols("table_catalog, table_schema, table_name, column_name, constraint_catalog, "
                                     "constraint_schema, constraint_name"),
    "routines": _cols("specific_catalog, specific_schema, specific_name, routine_catalog, routine_schema, "
                      "routine_name, routine_type, data_type, external_language"),
    "parameters": _cols(f"specific_catalog, specific_schema, specific_name, ordinal_position {I4}, "
                        "parameter_mode, parameter_name, data_type"),
    "sequences": _cols("sequence_catalog, sequence_schema, sequence_name, data_type"),
    "character_sets": _cols("character_set_catalog, character_set_schema, character_set_name, "
                            "character_repertoire, form_of_use, default_collate_catalog, default_collate_schema, "
                            "default_collate_name"),
    "triggers": _cols("trigger_catalog, trigger_schema, trigger_name, event_manipulation, event_object_table"),
    "check_constraints": _cols("constraint_catalog, constraint_schema, constraint_name, check_clause"),
    "enabled_roles": _cols("role_name"),
    "table_privileges": _cols("grantor, grantee, table_catalog, table_schema, table_name, privilege_type, "
                              "is_grantable, with_hierarchy"),
}

# Type display names for format_type() and information_schema.columns.data_type
_FORMAT_NAMES = {
    "int8": "bigint", "int4": "integer", "int2": "smallint", "float8": "double precision", "float4": "real",
    "bool": "boolean", "varchar": "character varying", "bpchar": "character", "timestamp": "timestamp without time zone",
    "timestamptz": "timestamp with time zone", "time": "time without time zone", "char": '"char"',
    "timetz": "time with time zone",
}

_TYPE_DETAILS = {  # typname -> (input, output, receive, send, align, byval)
    "bool": ("boolin", "boolout", "boolrecv", "boolsend", "c", True),
    "int2": ("int2in", "int2out", "int2recv", "int2send", "s", True),
    "int4": ("int4in", "int4out", "int4recv", "int4send", "i", True),
    "int8": ("int8in", "int8out", "int8recv", "int8send", "d", True),
    "float4": ("float4in", "float4out", "float4recv", "float4send", "i", True),
    "float8": ("float8in", "float8out", "float8recv", "float8send", "d", True),
    "date": ("date_in", "date_out", "date_recv", "date_send", "i", True),
    "time": ("time_in", "time_out", "time_recv", "time_send", "d", True),
    "timestamp": ("timestamp_in", "timestamp_out", "timestamp_recv", "timestamp_send", "d", True),
    "timestamptz": ("timestamptz_in", "timestamptz_out", "timestamptz_recv", "timestamptz_send", "d", True),
    "interval": ("interval_in", "interval_out", "interval_recv", "interval_send", "d", False),
    "uuid": ("uuid_in", "uuid_out", "uuid_recv", "uuid_send", "c", False),
    "oid": ("oidin", "oidout", "oidrecv", "oidsend", "i", True),
    "char": ("charin", "charout", "charrecv", "charsend", "c", True),
    "name": ("namein", "nameout", "namerecv", "namesend", "c", False),
    "regproc": ("regprocin", "regprocout", "regprocrecv", "regprocsend", "i", True),
    "regclass": ("regclassin", "regclassout", "regclassrecv", "regclasssend", "i", True),
    "regtype": ("regtypein", "regtypeout", "regtyperecv", "regtypesend", "i", True),
    "unknown": ("unknownin", "unknownout", "unknownrecv", "unknownsend", "c", False),
    "record": ("record_in", "record_out", "record_recv", "record_send", "d", False),
}


def oid_of(kind: str, *names: str) -> int:
    """A stable OID for a catalog object, above PostgreSQL's reserved range."""
    key = (kind + "\0" + "\0".join(names)).encode("utf-8")
    return 100000 + zlib.crc32(key) % 2_000_000_000


@dataclass
class Relation:
    oid: int
    schema: str
    namespace_oid: int
    table: Table
    kind: str  # r | v | f


# --------------------------------------------------------------------------- catalog snapshot

def _pg_type_for_glue(type_text: str) -> tuple[int, int]:
    """(type OID, typmod) for a Glue/Hive column type."""
    text = (type_text or "string").strip().lower()
    match = re.match(r"^(decimal|numeric)\s*\(\s*(\d+)\s*(?:,\s*(\d+))?\s*\)$", text)
    if match:
        p, s = int(match.group(2)), int(match.group(3) or 0)
        return pgt.NUMERIC, ((p << 16) | s) + 4
    match = re.match(r"^(varchar|char|character varying|character)\s*\(\s*(\d+)\s*\)$", text)
    if match:
        return (1042 if match.group(1) in ("char", "character") else pgt.VARCHAR), int(match.group(2)) + 4
    if text.startswith("array<") and text.endswith(">"):
        inner, _ = _pg_type_for_glue(text[6:-1])
        base = pgt.BY_OID.get(inner)
        return (base.array_oid if base and base.array_oid else 1009), -1
    if text.startswith(("map<", "struct<", "row(", "map(", "json")):
        return pgt.JSON, -1
    simple = {
        "bigint": pgt.INT8, "int8": pgt.INT8, "long": pgt.INT8, "int": pgt.INT4, "integer": pgt.INT4,
        "int4": pgt.INT4, "smallint": pgt.INT2, "int2": pgt.INT2, "tinyint": pgt.INT2, "double": pgt.FLOAT8,
        "double precision": pgt.FLOAT8, "float8": pgt.FLOAT8, "float": pgt.FLOAT4, "real": pgt.FLOAT4,
        "float4": pgt.FLOAT4, "string": pgt.TEXT, "text": pgt.TEXT, "varchar": pgt.VARCHAR, "char": 1042,
        "boolean": pgt.BOOL, "bool": pgt.BOOL, "date": pgt.DATE, "timestamp": pgt.TIMESTAMP,
        "timestamptz": pgt.TIMESTAMPTZ, "timestamp with time zone": pgt.TIMESTAMPTZ, "binary": pgt.BYTEA,
        "varbinary": pgt.BYTEA, "bytea": pgt.BYTEA, "decimal": pgt.NUMERIC, "numeric": pgt.NUMERIC,
        "interval": pgt.INTERVAL, "uuid": pgt.UUID, "time": pgt.TIME, "blob": pgt.BYTEA,
    }
    return simple.get(text, pgt.TEXT), -1


def format_type(oid: int, typmod: int) -> str:
    t = pgt.ALL_TYPES.get(oid)
    if t is None:
        return next((display for o, _, display, _ in PSEUDO_TYPES if o == oid), "???")
    if t.element:
        return format_type(t.element, typmod) + "[]"
    name = _FORMAT_NAMES.get(t.name, t.name)
    if typmod is not None and typmod >= 4:
        if t.name == "numeric":
            return f"numeric({(typmod - 4) >> 16},{(typmod - 4) & 0xFFFF})"
        if t.name in ("varchar", "bpchar"):
            return f"{name}({typmod - 4})"
    return name


class CatalogSnapshot:
    """lakebox's catalog as PostgreSQL catalog rows."""

    def __init__(self, catalog, dialect: str, database: str, user: str):
        self.dialect = dialect
        self.database = database
        self.user = user
        self.schemas: dict[str, int] = {}  # schema name -> namespace oid
        self.relations: list[Relation] = []
        glue = {d.name: d for d in catalog.get_databases()}
        tables = {name: catalog.get_tables(name) for name in glue}
        schema_sources: list[tuple[str, str]] = []  # (schema name, glue database)
        for name in sorted(glue):
            schema_sources.append((name, name))
        if dialect == "redshift":
            for mount in catalog.get_external_schemas():
                schema_sources.append((mount["schema_name"], mount["database_name"]))
            if "public" not in glue:
                schema_sources.append(("public", "public"))
        seen = set()
        for schema, source in schema_sources:
            if schema in seen:
                continue
            seen.add(schema)
            nsp = PUBLIC_NS if schema == "public" else oid_of("namespace", schema)
            self.schemas[schema] = nsp
            for table in tables.get(source, []):
                kind = "v" if table.is_view else ("r" if table.table_type == MANAGED_TABLE else "f")
                self.relations.append(Relation(oid_of("class", schema, table.name), schema, nsp, table, kind))
        self.descriptions = {name: d.description for name, d in glue.items() if d.description}

    def fingerprint(self) -> str:
        h = hashlib.sha1()
        for s, o in sorted(self.schemas.items()):
            h.update(f"{s}:{o};".encode())
        for r in self.relations:
            h.update(f"{r.oid}:{r.table.version_id}:{r.table.update_time}:{r.kind}:".encode())
            for c in r.table.all_columns:
                h.update(f"{c.name}:{c.type}:{c.comment};".encode())
            h.update((r.table.description or "").encode())
        h.update(self.dialect.encode())
        h.update(self.database.encode())
        return h.hexdigest()


# --------------------------------------------------------------------------- functions (pg_proc)

def _arguments_text(function: Function) -> str:
    parts = [format_type(oid, -1) for oid in function.arguments]
    if function.variadic and parts:
        parts[-1] = "VARIADIC " + parts[-1]
    return ", ".join(parts)


def _proc_rows(dialect: str) -> tuple[list[dict], list[dict], list[dict]]:
    """(pg_proc rows, their pg_description rows, lb_proc_text rows for pg_get_function_*)."""
    procs, descriptions, texts = [], [], []
    for f in functions(dialect):
        oid = oid_of("proc", dialect, f.name, ",".join(map(str, f.arguments)))
        variadic = bool(f.variadic)
        procs.append(dict(
            oid=oid, proname=f.name, pronamespace=PG_CATALOG_NS, proowner=USER_OID, prolang=12, procost=1.0,
            prorows=0.0, provariadic=f.variadic, prosupport="-", prokind=f.kind, prosecdef=False,
            proleakproof=False, proisstrict=False, proretset=False,
            provolatile="v" if f.name in VOLATILE else ("s" if f.name in STABLE else "i"),
            proparallel="s", pronargs=len(f.arguments), pronargdefaults=0, prorettype=f.result,
            proargtypes=list(f.arguments), proallargtypes=list(f.arguments) if variadic else None,
            proargmodes=["i"] * (len(f.arguments) - 1) + ["v"] if variadic else None, proargnames=None,
            prosrc=f.name))
        description = f"{f.status}: {f.how.strip()}" if f.how.strip() else f.status
        descriptions.append(dict(objoid=oid, classoid=1255, objsubid=0, description=description))
        arguments = _arguments_text(f)
        result = format_type(f.result, -1)
        volatility = {"i": "IMMUTABLE", "s": "STABLE", "v": "VOLATILE"}[procs[-1]["provolatile"]]
        definition = None
        if f.kind != "a":  # PostgreSQL's pg_get_functiondef() refuses aggregates
            options = (" WINDOW" if f.kind == "w" else "") + f" {volatility} PARALLEL SAFE"
            definition = (f"CREATE OR REPLACE FUNCTION pg_catalog.{f.name}({arguments})\n RETURNS {result}\n"
                          f" LANGUAGE internal\n{options}\nAS $function${f.name}$function$\n")
        texts.append(dict(oid=oid, lb_arguments=arguments, lb_identity=arguments, lb_result=result,
                          lb_def=definition))
    return procs, descriptions, texts


# --------------------------------------------------------------------------- building the DuckDB

def _arrow_type(duck: str) -> pa.DataType:
    base = {"UINTEGER": pa.uint32(), "VARCHAR": pa.string(), "SMALLINT": pa.int16(), "INTEGER": pa.int32(),
            "BIGINT": pa.int64(), "BOOLEAN": pa.bool_(), "REAL": pa.float32(), "TIMESTAMPTZ": pa.timestamp("us", "UTC"),
            "INTERVAL": pa.month_day_nano_interval()}
    if duck.endswith("[]"):
        return pa.list_(_arrow_type(duck[:-2]))
    return base[duck]


def _table(columns: list[tuple[str, str]], rows: list[dict]) -> pa.Table:
    arrays = []
    for name, kind in columns:
        arrays.append(pa.array([r.get(name) for r in rows], type=_arrow_type(kind)))
    return pa.Table.from_arrays(arrays, names=[c for c, _ in columns])


def _type_rows() -> list[dict]:
    rows = []
    for t in pgt.ALL_TYPES.values():
        details = _TYPE_DETAILS.get(t.name)
        if t.element:
            elem = pgt.ALL_TYPES[t.element]
            io = ("array_in", "array_out", "array_recv", "array_send", "i", False)
        else:
            elem = None
            io = details or (f"{t.name}in", f"{t.name}out", f"{t.name}recv", f"{t.name}send", "i", False)
        rows.append(dict(
            oid=t.oid, typname=t.name, typnamespace=PG_CATALOG_NS, typowner=USER_OID, typlen=t.size,
            typbyval=io[5], typtype="p" if t.name == "record" else "b",
            typcategory=t.category, typispreferred=t.name in ("text", "float8", "bool", "timestamptz", "oid"),
            typisdefined=True, typdelim=",", typrelid=0, typsubscript="array_subscript_handler" if t.element else "-",
            typelem=t.element if t.element else {"name": 18, "int2vector": 21, "oidvector": 26}.get(t.name, 0),
            typarray=0 if t.element else t.array_oid, typinput=io[0], typoutput=io[1], typreceive=io[2],
            typsend=io[3], typmodin="-", typmodout="-", typanalyze="-", typalign=io[4],
            typstorage="p" if t.size > 0 else "x", typnotnull=False, typbasetype=0, typtypmod=-1, typndims=0,
            typcollation=100 if t.category == "S" else 0, typdefaultbin=None, typdefault=None, typacl=None))
        del elem
    for oid, name, _, length in PSEUDO_TYPES:
        if oid in pgt.ALL_TYPES:
            continue
        rows.append(dict(
            oid=oid, typname=name, typnamespace=PG_CATALOG_NS, typowner=USER_OID, typlen=length, typbyval=length > 0,
            typtype="p", typcategory="P", typispreferred=False, typisdefined=True, typdelim=",", typrelid=0,
            typsubscript="-", typelem=0, typarray=0, typinput=f"{name}_in", typoutput=f"{name}_out", typreceive="-",
            typsend="-", typmodin="-", typmodout="-", typanalyze="-", typalign="d" if length < 0 else "i",
            typstorage="x" if length < 0 else "p", typnotnull=False, typbasetype=0, typtypmod=-1, typndims=0,
            typcollation=0, typdefaultbin=None, typdefault=None, typacl=None))
    return rows


_MACROS = [
    # format_type(oid, typmod)
    "CREATE MACRO lb_format_type(t, m) AS (SELECT lbf.lb_name || CASE "
    "WHEN m IS NULL OR m < 4 THEN '' "
    "WHEN lbf.lb_base = 'numeric' THEN '(' || ((m - 4) >> 16) || ',' || ((m - 4) & 65535) || ')' "
    "WHEN lbf.lb_base IN ('varchar', 'bpchar') THEN '(' || (m - 4) || ')' ELSE '' END || lbf.lb_suffix "
    "FROM lb_pg_catalog.lb_type_names lbf WHERE lbf.oid = t)",
    "CREATE MACRO lb_pg_get_expr(e, r) AS e",
    "CREATE MACRO lb_pg_get_expr3(e, r, p) AS e",
    "CREATE MACRO lb_table_is_visible(o, nsps) AS list_contains(nsps, "
    "(SELECT lbc.relnamespace FROM lb_pg_catalog.pg_class lbc WHERE lbc.oid = o))",
    "CREATE MACRO lb_regclass_name(o) AS CASE WHEN o = 0 THEN '-' ELSE coalesce((SELECT lbc.relname FROM "
    "lb_pg_catalog.pg_class lbc WHERE lbc.oid = o), CAST(o AS VARCHAR)) END",
    "CREATE MACRO lb_regtype_name(o) AS CASE WHEN o = 0 THEN '-' ELSE coalesce(lb_format_type(o, NULL), "
    "CAST(o AS VARCHAR)) END",
    "CREATE MACRO lb_regproc_name(o) AS coalesce((SELECT lbp.proname FROM lb_pg_catalog.pg_proc lbp WHERE lbp.oid = o), "
    "CAST(o AS VARCHAR))",
    "CREATE MACRO lb_regnamespace_name(o) AS coalesce((SELECT lbn.nspname FROM lb_pg_catalog.pg_namespace lbn "
    "WHERE lbn.oid = o), CAST(o AS VARCHAR))",
    "CREATE MACRO lb_obj_description(o, c) AS (SELECT lbd.description FROM lb_pg_catalog.pg_description lbd "
    "WHERE lbd.objoid = o AND lbd.objsubid = 0 LIMIT 1)",
    "CREATE MACRO lb_obj_description1(o) AS (SELECT lbd.description FROM lb_pg_catalog.pg_description lbd "
    "WHERE lbd.objoid = o AND lbd.objsubid = 0 LIMIT 1)",
    "CREATE MACRO lb_col_description(o, n) AS (SELECT lbd.description FROM lb_pg_catalog.pg_description lbd "
    "WHERE lbd.objoid = o AND lbd.objsubid = n LIMIT 1)",
    "CREATE MACRO lb_shobj_description(o, c) AS (SELECT lbd.description FROM lb_pg_catalog.pg_shdescription lbd "
    "WHERE lbd.objoid = o LIMIT 1)",
    "CREATE MACRO lb_get_userbyid(o) AS coalesce((SELECT lba.rolname FROM lb_pg_catalog.pg_authid lba WHERE lba.oid = o), "
    "'unknown (OID=' || o || ')')",
    "CREATE MACRO lb_get_constraintdef(o) AS (SELECT lbk.lb_def FROM lb_pg_catalog.pg_constraint lbk WHERE lbk.oid = o)",
    "CREATE MACRO lb_get_indexdef(o) AS (SELECT lbi.indexdef FROM lb_pg_catalog.pg_indexes lbi "
    "JOIN lb_pg_catalog.pg_class lbc ON lbc.relname = lbi.indexname WHERE lbc.oid = o LIMIT 1)",
    "CREATE MACRO lb_get_viewdef(o) AS (SELECT lbv.definition FROM lb_pg_catalog.pg_views lbv "
    "JOIN lb_pg_catalog.pg_class lbc ON lbc.relname = lbv.viewname JOIN lb_pg_catalog.pg_namespace lbn "
    "ON lbn.oid = lbc.relnamespace AND lbn.nspname = lbv.schemaname WHERE lbc.oid = o LIMIT 1)",
    "CREATE MACRO lb_quote_ident(s) AS CASE WHEN regexp_full_match(s, '[a-z_][a-z0-9_$]*') THEN s "
    "ELSE '\"' || replace(s, '\"', '\"\"') || '\"' END",
    "CREATE MACRO lb_expandarray(a) AS list_transform(generate_series(1, len(a)), lambda i: struct_pack(x := a[i], n := i))",
    "CREATE MACRO lb_regclass_in(name, nsps) AS (SELECT lbc.oid FROM lb_pg_catalog.pg_class lbc "
    "JOIN lb_pg_catalog.pg_namespace lbn ON lbn.oid = lbc.relnamespace WHERE "
    "(CASE WHEN contains(name, '.') THEN lbn.nspname = lower(split_part(name, '.', 1)) AND "
    "lbc.relname = lower(split_part(name, '.', 2)) ELSE lbc.relname = lower(name) AND "
    "list_contains(nsps, lbc.relnamespace) END) ORDER BY list_position(nsps, lbc.relnamespace) LIMIT 1)",
    "CREATE MACRO lb_get_function_arguments(o) AS (SELECT lbt.lb_arguments FROM lb_pg_catalog.lb_proc_text lbt "
    "WHERE lbt.oid = o)",
    "CREATE MACRO lb_get_function_identity_arguments(o) AS (SELECT lbt.lb_identity FROM lb_pg_catalog.lb_proc_text lbt "
    "WHERE lbt.oid = o)",
    "CREATE MACRO lb_get_function_result(o) AS (SELECT lbt.lb_result FROM lb_pg_catalog.lb_proc_text lbt "
    "WHERE lbt.oid = o)",
    "CREATE MACRO lb_get_functiondef(o) AS (SELECT lbt.lb_def FROM lb_pg_catalog.lb_proc_text lbt WHERE lbt.oid = o)",
    "CREATE MACRO lb_oidvectortypes(v) AS coalesce((SELECT string_agg(lb_format_type(lbu.x, NULL), ', ' "
    "ORDER BY lbu.i) FROM (SELECT unnest(v) AS x, generate_subscripts(v, 1) AS i) lbu), '')",
    "CREATE MACRO lb_regtype_in(name) AS (SELECT lbt.oid FROM lb_pg_catalog.lb_type_names lbt WHERE "
    "lower(trim(name)) IN (lbt.lb_typname, lbt.lb_name || lbt.lb_suffix, lbt.lb_alias) LIMIT 1)",
]

_FUNCTION_MACROS = {  # PostgreSQL function name -> (macro, arity handled)
    "format_type": "lb_format_type",
    "pg_get_userbyid": "lb_get_userbyid",
    "col_description": "lb_col_description",
    "shobj_description": "lb_shobj_description",
    "pg_get_constraintdef": "lb_get_constraintdef",
    "pg_get_indexdef": "lb_get_indexdef",
    "pg_get_viewdef": "lb_get_viewdef",
    "quote_ident": "lb_quote_ident",
    "_pg_expandarray": "lb_expandarray",
    "pg_get_function_arguments": "lb_get_function_arguments",
    "pg_get_function_identity_arguments": "lb_get_function_identity_arguments",
    "pg_get_function_result": "lb_get_function_result",
    "oidvectortypes": "lb_oidvectortypes",
    "pg_get_functiondef": "lb_get_functiondef",
}
_CONSTANT_FUNCTIONS = {
    "pg_backend_pid", "version", "current_database", "current_schema", "current_user", "session_user",
    "current_role", "user", "current_catalog", "pg_is_in_recovery", "txid_current", "pg_current_xact_id",
    "inet_server_addr", "inet_server_port", "inet_client_addr", "inet_client_port", "pg_postmaster_start_time",
    "pg_conf_load_time", "pg_my_temp_schema", "pg_jit_available", "pg_trigger_depth",
}
_TRUE_FUNCTIONS = {
    "has_table_privilege", "has_schema_privilege", "has_database_privilege", "has_column_privilege",
    "has_function_privilege", "has_sequence_privilege", "has_type_privilege", "has_any_column_privilege",
    "has_foreign_data_wrapper_privilege", "has_server_privilege", "has_tablespace_privilege",
    "has_language_privilege", "pg_has_role", "pg_type_is_visible", "pg_function_is_visible",
    "pg_opclass_is_visible", "pg_operator_is_visible", "pg_collation_is_visible", "pg_conversion_is_visible",
    "pg_ts_config_is_visible", "pg_statistics_obj_is_visible",
}
_FALSE_FUNCTIONS = {"pg_relation_is_publishable", "pg_is_other_temp_schema", "pg_relation_is_updatable_pg"}
_NULL_FUNCTIONS = {
    "pg_get_partkeydef", "pg_get_statisticsobjdef_columns", "pg_get_serial_sequence", "pg_get_triggerdef",
    "pg_get_ruledef", "pg_get_function_sqlbody", "pg_tablespace_location", "pg_get_partition_constraintdef",
    "pg_get_statisticsobjdef", "pg_get_publication_tables", "pg_describe_object", "pg_get_keywords",
    "pg_stat_get_numscans", "pg_get_expr_pretty",
}
_ZERO_FUNCTIONS = {"pg_relation_size", "pg_total_relation_size", "pg_table_size", "pg_indexes_size",
                   "pg_database_size", "pg_column_size", "pg_stat_get_live_tuples"}
#: Functions whose presence alone makes a table-less query a catalog query.
CATALOG_FUNCTIONS = (_CONSTANT_FUNCTIONS - {"current_user", "session_user", "user"}) | _TRUE_FUNCTIONS \
    | _NULL_FUNCTIONS | _ZERO_FUNCTIONS | _FALSE_FUNCTIONS | set(_FUNCTION_MACROS) | {
        "current_setting", "set_config", "current_schemas", "pg_get_expr", "pg_table_is_visible",
        "obj_description", "pg_encoding_to_char", "pg_char_to_encoding", "to_regclass", "to_regtype",
        "pg_size_pretty", "pg_get_userbyid", "array_to_string_pg", "pg_client_encoding", "getdatabaseencoding",
        "pg_get_indexdef", "pg_settings_get_flags", "pg_listening_channels", "pg_typeof"}
#: PostgreSQL functions DuckDB lacks, rewritten wherever they occur in a catalog query.
_PORTED_FUNCTIONS = {"json_build_object", "jsonb_build_object", "json_build_array", "jsonb_build_array", "array_upper", "array_lower", "array_length", "array_ndims", "cardinality", "string_to_array"}

#: Catalog columns PostgreSQL types oidvector or int2vector: their subscripts count from 0.
_VECTOR_COLUMNS = {"proargtypes", "indkey", "indclass", "indcollation", "indoption", "tgattr", "partattrs",
                   "partclass", "partcollation", "stxkeys"}

_ARRAY_CAST = re.compile(r"::\s*(?:pg_catalog\.)?(oid|int2|int4|int8|text|name|regtype|regclass|char)\s*\[\s*\]",
                         re.IGNORECASE)


def normalize_array_casts(sql: str) -> str:
    """`$1::oid[]` -> `$1::oid_lbarray`: sqlglot's postgres parser reads `oid[]` as a subscript."""
    return _ARRAY_CAST.sub(lambda m: f"::{m.group(1).lower()}_lbarray", sql)


#: element type of each normalized array cast, and its array type OID
ARRAY_CASTS = {"oid_lbarray": ("UINTEGER[]", 1028), "int2_lbarray": ("SMALLINT[]", 1005),
               "int4_lbarray": ("INTEGER[]", 1007), "int8_lbarray": ("BIGINT[]", 1016),
               "text_lbarray": ("VARCHAR[]", 1009), "name_lbarray": ("VARCHAR[]", 1003),
               "regtype_lbarray": ("UINTEGER[]", 2211), "regclass_lbarray": ("UINTEGER[]", 2210),
               "char_lbarray": ("VARCHAR[]", 1002)}

_PG_CAST_TYPES = {"int2": "SMALLINT", "int4": "INTEGER", "int8": "BIGINT", "float4": "REAL", "float8": "DOUBLE",
                  "int2[]": "SMALLINT[]", "int4[]": "INTEGER[]", "int8[]": "BIGINT[]", "oid[]": "UINTEGER[]",
                  "name[]": "VARCHAR[]", "text[]": "VARCHAR[]", "regtype[]": "UINTEGER[]", "xid": "UINTEGER",
                  "cid": "UINTEGER", "tid": "VARCHAR", "aclitem[]": "VARCHAR[]", "char[]": "VARCHAR[]",
                  '"char"[]': "VARCHAR[]", "pg_node_tree": "VARCHAR", "bpchar": "VARCHAR", "jsonb": "JSON"}
_UINT = exp.DataType.build("UINTEGER", dialect="duckdb")

#: Text a catalog query must contain (a catalog table, a catalog function, a reg* or oid cast).
_CATALOG_HINT = re.compile(
    r"pg_|information_schema|current_schema|current_setting|set_config|version\s*\(|current_database|"
    r"current_catalog|\breg(class|type|proc|procedure|namespace|role|oper|operator|config|dictionary|collation)\b|"
    r"::\s*(oid|name)\b|has_\w+_privilege|obj_description|col_description|format_type|to_reg\w+|"
    r"quote_ident|_pg_expandarray|getdatabaseencoding|inet_(server|client)_|txid_current|json_build",
    re.IGNORECASE)

_REG_TYPES = {"regclass", "regtype", "regproc", "regprocedure", "regnamespace", "regrole", "regoper",
              "regoperator", "regconfig", "regdictionary", "regcollation"}


def _routine_type_name(oid: int) -> str:
    """information_schema's data_type: ARRAY for arrays, USER-DEFINED never, else format_type's name."""
    t = pgt.ALL_TYPES.get(oid)
    if t is not None and t.element:
        return "ARRAY"
    return format_type(oid, -1).strip('"')


class CatalogEmulator:
    """Answers introspection queries from a DuckDB mirror of lakebox's catalog (one per server)."""

    def __init__(self, dialect: str, database: str = "lakebox"):
        self.dialect = dialect
        self.database = database
        self._lock = threading.Lock()
        self._fingerprint: str | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._snapshot: CatalogSnapshot | None = None

    # -- routing ----------------------------------------------------------------------------------

    def parse(self, sql: str) -> exp.Expression | None:
        """The statement as PostgreSQL reads it, or None when it cannot be introspection SQL."""
        if not _CATALOG_HINT.search(sql):
            return None  # the common case, decided without a parse
        try:
            expressions = [e for e in sqlglot.parse(normalize_array_casts(sql), read="postgres") if e is not None]
        except Exception:
            return None
        return expressions[0] if len(expressions) == 1 else None

    def handles(self, expression: exp.Expression) -> bool:
        """Whether a parsed query is introspection (catalog tables or catalog functions only)."""
        saw_catalog = False
        cte_names = {c.alias_or_name.lower() for c in expression.find_all(exp.CTE)}
        for table in expression.find_all(exp.Table):
            if not isinstance(table.this, exp.Identifier):
                continue  # table functions: unnest, generate_series, ...
            schema = table.db.lower() if table.db else ""
            name = table.name.lower()
            if schema in _CATALOG_SCHEMAS:
                saw_catalog = True
            elif not schema and (name.startswith("pg_") or name in cte_names):
                saw_catalog = saw_catalog or name.startswith("pg_")
            else:
                return False
        if saw_catalog:
            return True
        for node in expression.walk():
            name = _function_name(node)
            if name and name in CATALOG_FUNCTIONS:
                return True
            if isinstance(node, exp.CurrentSchemas) or (isinstance(node, exp.CurrentSchema)):
                return True
            if isinstance(node, exp.Cast) and _cast_target(node) in _REG_TYPES | {"oid", "name"}:
                return True
        return False

    # -- the DuckDB mirror -------------------------------------------------------------------------

    def _connection(self, pg) -> tuple[duckdb.DuckDBPyConnection, CatalogSnapshot]:
        snapshot = CatalogSnapshot(pg.engine.catalog, self.dialect, pg.database or self.database, pg.user)
        fingerprint = snapshot.fingerprint() + pg.user
        with self._lock:
            if fingerprint != self._fingerprint or self._con is None:
                con = self._build(snapshot, pg)
                self._con = con
                self._fingerprint, self._snapshot = fingerprint, snapshot
                # the old connection is closed by the garbage collector once running cursors finish
            return self._con, self._snapshot

    def _build(self, snap: CatalogSnapshot, pg) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False,
                                                 "autoload_known_extensions": False})
        con.execute("SET TimeZone = 'UTC'")
        con.execute("CREATE SCHEMA lb_pg_catalog")
        con.execute("CREATE SCHEMA lb_information_schema")
        rows = self._rows(snap, pg)
        for name, columns in PG_TABLES.items():
            self._create(con, f"lb_pg_catalog.{name}", columns, rows.get(name, []))
        for name, columns in INFO_TABLES.items():
            self._create(con, f"lb_information_schema.{name}", columns, rows.get("info." + name, []))
        type_names = []
        for t in pgt.ALL_TYPES.values():
            base = pgt.ALL_TYPES[t.element] if t.element else t
            display = _FORMAT_NAMES.get(base.name, base.name)
            type_names.append(dict(oid=t.oid, lb_typname=t.name, lb_name=display, lb_base=base.name,
                                   lb_suffix="[]" if t.element else "",
                                   lb_alias={"int4": "int", "bool": "bool", "float8": "float", "bpchar": "char",
                                             "varchar": "varchar", "timestamptz": "timestamptz",
                                             "int8": "int8", "int2": "int2"}.get(base.name, base.name)
                                   + ("[]" if t.element else "")))
        for oid, name, display, _ in PSEUDO_TYPES:
            if oid not in pgt.ALL_TYPES:
                type_names.append(dict(oid=oid, lb_typname=name, lb_name=display, lb_base=name, lb_suffix="",
                                       lb_alias=name))
        self._create(con, "lb_pg_catalog.lb_type_names",
                     _cols(f"oid {O}, lb_typname, lb_name, lb_base, lb_suffix, lb_alias"), type_names)
        self._create(con, "lb_pg_catalog.lb_proc_text", _cols(f"oid {O}, lb_arguments, lb_identity, lb_result, lb_def"),
                     rows["lb_proc_text"])
        for macro in _MACROS:
            con.execute(macro)
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        return con

    @staticmethod
    def _create(con, qualified: str, columns, rows) -> None:
        table = _table(columns, rows)
        con.register("lb_src", table)
        try:
            con.execute(f"CREATE TABLE {qualified} AS SELECT * FROM lb_src")
        finally:
            con.unregister("lb_src")

    def _rows(self, snap: CatalogSnapshot, pg) -> dict[str, list[dict]]:
        user = snap.user
        db = snap.database
        rows: dict[str, list[dict]] = {k: [] for k in PG_TABLES}
        rows.update({"info." + k: [] for k in INFO_TABLES})
        rows["pg_namespace"] = [
            dict(oid=PG_CATALOG_NS, nspname="pg_catalog", nspowner=USER_OID),
            dict(oid=INFORMATION_SCHEMA_NS, nspname="information_schema", nspowner=USER_OID),
        ] + [dict(oid=o, nspname=s, nspowner=USER_OID) for s, o in sorted(snap.schemas.items())]
        rows["pg_database"] = [dict(oid=DATABASE_OID, datname=db, datdba=USER_OID, encoding=6, datlocprovider="c",
                                    datistemplate=False, datallowconn=True, datconnlimit=-1, datfrozenxid=0,
                                    datminmxid=1, dattablespace=1663, datcollate="C", datctype="C")]
        role = dict(oid=USER_OID, rolname=user, rolsuper=False, rolinherit=True, rolcreaterole=False,
                    rolcreatedb=False, rolcanlogin=True, rolreplication=False, rolbypassrls=False, rolconnlimit=-1)
        rows["pg_authid"] = [role]
        rows["pg_roles"] = [dict(role, rolpassword="********")]
        rows["pg_user"] = [dict(usename=user, usesysid=USER_OID, usecreatedb=False, usesuper=False, userepl=False,
                                usebypassrls=False, passwd="********")]
        rows["pg_am"] = [dict(oid=2, amname="heap", amhandler="heap_tableam_handler", amtype="t"),
                         dict(oid=403, amname="btree", amhandler="bthandler", amtype="i")]
        rows["pg_tablespace"] = [dict(oid=1663, spcname="pg_default", spcowner=USER_OID)]
        rows["pg_collation"] = [dict(oid=100, collname="default", collnamespace=PG_CATALOG_NS, collowner=USER_OID,
                                     collprovider="d", collisdeterministic=True, collencoding=-1),
                                dict(oid=950, collname="C", collnamespace=PG_CATALOG_NS, collowner=USER_OID,
                                     collprovider="c", collisdeterministic=True, collencoding=-1, collcollate="C",
                                     collctype="C")]
        rows["pg_language"] = [dict(oid=12, lanname="internal", lanowner=USER_OID, lanispl=False),
                               dict(oid=14, lanname="sql", lanowner=USER_OID, lanispl=False)]
        rows["pg_type"] = _type_rows()
        procs, proc_descriptions, rows["lb_proc_text"] = _proc_rows(snap.dialect)
        rows["pg_proc"] = procs
        rows["pg_description"].extend(proc_descriptions)
        for proc in procs:
            specific = f"{proc['proname']}_{proc['oid']}"
            rows["info.routines"].append(dict(
                specific_catalog=db, specific_schema="pg_catalog", specific_name=specific, routine_catalog=db,
                routine_schema="pg_catalog", routine_name=proc["proname"], routine_type="FUNCTION",
                data_type=_routine_type_name(proc["prorettype"]), external_language="INTERNAL"))
            for position, argument in enumerate(proc["proargtypes"], start=1):
                rows["info.parameters"].append(dict(
                    specific_catalog=db, specific_schema="pg_catalog", specific_name=specific,
                    ordinal_position=position, parameter_mode="IN", parameter_name=None,
                    data_type=_routine_type_name(argument)))
        rows["pg_settings"] = [dict(name=k, setting=v, context="user", vartype="string", source="default",
                                    boot_val=v, reset_val=v, pending_restart=False)
                               for k, v in sorted(pg.settings.items())]
        self._system_relations(rows)
        # schemas
        info_schemata = [dict(catalog_name=db, schema_name=s, schema_owner=user)
                         for s in ["pg_catalog", "information_schema"] + sorted(snap.schemas)]
        rows["info.schemata"] = info_schemata
        for rel in snap.relations:
            t = rel.table
            columns = t.all_columns
            relkind = "v" if rel.kind == "v" else "r"
            rows["pg_class"].append(dict(
                oid=rel.oid, relname=t.name, relnamespace=rel.namespace_oid, reltype=0, reloftype=0,
                relowner=USER_OID, relam=0 if relkind == "v" else 2, relfilenode=rel.oid, reltablespace=0,
                relpages=0, reltuples=-1.0, relallvisible=0, reltoastrelid=0, relhasindex=False,
                relisshared=False, relpersistence="p", relkind=relkind, relnatts=len(columns), relchecks=0,
                relhasrules=relkind == "v", relhastriggers=False, relhassubclass=False, relrowsecurity=False,
                relforcerowsecurity=False, relispopulated=True, relreplident="d", relispartition=False,
                relrewrite=0, relfrozenxid=0, relminmxid=0))
            if t.description:
                rows["pg_description"].append(dict(objoid=rel.oid, classoid=1259, objsubid=0, description=t.description))
            table_type = "VIEW" if rel.kind == "v" else ("BASE TABLE" if rel.kind == "r" else "FOREIGN")
            rows["info.tables"].append(dict(table_catalog=db, table_schema=rel.schema, table_name=t.name,
                                            table_type=table_type, is_insertable_into="YES" if rel.kind == "r" else "NO",
                                            is_typed="NO"))
            if rel.kind == "v":
                definition = t.view_original_text or ""
                rows["pg_views"].append(dict(schemaname=rel.schema, viewname=t.name, viewowner=user,
                                             definition=definition))
                rows["info.views"].append(dict(table_catalog=db, table_schema=rel.schema, table_name=t.name,
                                               view_definition=definition, check_option="NONE", is_updatable="NO",
                                               is_insertable_into="NO", is_trigger_updatable="NO",
                                               is_trigger_deletable="NO", is_trigger_insertable_into="NO"))
            else:
                rows["pg_tables"].append(dict(schemaname=rel.schema, tablename=t.name, tableowner=user,
                                              hasindexes=False, hasrules=False, hastriggers=False, rowsecurity=False))
            pk_columns = []
            for number, column in enumerate(columns, start=1):
                oid, typmod = _pg_type_for_glue(column.type)
                ptype = pgt.ALL_TYPES[oid]
                rows["pg_attribute"].append(dict(
                    attrelid=rel.oid, attname=column.name, atttypid=oid, attstattarget=-1, attlen=ptype.size,
                    attnum=number, attndims=1 if ptype.element else 0, attcacheoff=-1, atttypmod=typmod,
                    attbyval=ptype.size in (1, 2, 4, 8), attalign="i", attstorage="p" if ptype.size > 0 else "x",
                    attcompression="", attnotnull=column.parameters.get("not_null") == "true", atthasdef=False,
                    atthasmissing=False, attidentity="", attgenerated="", attisdropped=False, attislocal=True,
                    attinhcount=0, attcollation=100 if ptype.category == "S" else 0))
                if column.comment:
                    rows["pg_description"].append(dict(objoid=rel.oid, classoid=1259, objsubid=number,
                                                       description=column.comment))
                rows["info.columns"].append(self._info_column(db, rel, column.name, number, oid, typmod))
                if column.parameters.get("primary_key") == "true":
                    pk_columns.append(number)
            if pk_columns:
                self._primary_key(rows, rel, pk_columns, [columns[i - 1].name for i in pk_columns], db)
        for name, description in snap.descriptions.items():
            if name in snap.schemas:
                rows["pg_description"].append(dict(objoid=snap.schemas[name], classoid=2615, objsubid=0,
                                                   description=description))
        return rows

    @staticmethod
    def _system_relations(rows) -> None:
        """pg_catalog's and information_schema's own tables, so that 'pg_class'::regclass and \\d pg_class work."""
        for schema, nsp, tables in (("pg_catalog", PG_CATALOG_NS, PG_TABLES),
                                    ("information_schema", INFORMATION_SCHEMA_NS, INFO_TABLES)):
            for name, columns in tables.items():
                oid = _SYSTEM_OIDS.get(name) if nsp == PG_CATALOG_NS else None
                oid = oid or oid_of("class", schema, name)
                kind = "v" if name in _SYSTEM_VIEWS or nsp == INFORMATION_SCHEMA_NS else "r"
                rows["pg_class"].append(dict(
                    oid=oid, relname=name, relnamespace=nsp, reltype=0, reloftype=0, relowner=USER_OID,
                    relam=0 if kind == "v" else 2, relfilenode=oid, reltablespace=0, relpages=0, reltuples=-1.0,
                    relallvisible=0, reltoastrelid=0, relhasindex=False, relisshared=False, relpersistence="p",
                    relkind=kind, relnatts=len(columns), relchecks=0, relhasrules=False, relhastriggers=False,
                    relhassubclass=False, relrowsecurity=False, relforcerowsecurity=False, relispopulated=True,
                    relreplident="n", relispartition=False, relrewrite=0, relfrozenxid=0, relminmxid=0))
                for number, (column, kind_name) in enumerate(columns, start=1):
                    type_oid = _DUCK_TO_PG.get(kind_name, pgt.TEXT)
                    rows["pg_attribute"].append(dict(
                        attrelid=oid, attname=column, atttypid=type_oid, attstattarget=-1,
                        attlen=pgt.ALL_TYPES[type_oid].size, attnum=number, attndims=0, attcacheoff=-1, atttypmod=-1,
                        attbyval=True, attalign="i", attstorage="p", attcompression="", attnotnull=False,
                        atthasdef=False, atthasmissing=False, attidentity="", attgenerated="", attisdropped=False,
                        attislocal=True, attinhcount=0, attcollation=0))

    @staticmethod
    def _primary_key(rows, rel: Relation, numbers: list[int], names: list[str], db: str) -> None:
        index_name = f"{rel.table.name}_pkey"
        index_oid = oid_of("index", rel.schema, index_name)
        rows["pg_class"].append(dict(
            oid=index_oid, relname=index_name, relnamespace=rel.namespace_oid, reltype=0, reloftype=0,
            relowner=USER_OID, relam=403, relfilenode=index_oid, reltablespace=0, relpages=0, reltuples=-1.0,
            relallvisible=0, reltoastrelid=0, relhasindex=False, relisshared=False, relpersistence="p", relkind="i",
            relnatts=len(numbers), relchecks=0, relhasrules=False, relhastriggers=False, relhassubclass=False,
            relrowsecurity=False, relforcerowsecurity=False, relispopulated=True, relreplident="n",
            relispartition=False, relrewrite=0, relfrozenxid=0, relminmxid=0))
        for r in rows["pg_class"]:
            if r["oid"] == rel.oid:
                r["relhasindex"] = True
        rows["pg_index"].append(dict(
            indexrelid=index_oid, indrelid=rel.oid, indnatts=len(numbers), indnkeyatts=len(numbers), indisunique=True,
            indnullsnotdistinct=False, indisprimary=True, indisexclusion=False, indimmediate=True,
            indisclustered=False, indisvalid=True, indcheckxmin=False, indisready=True, indislive=True,
            indisreplident=False, indkey=numbers, indcollation=[0] * len(numbers), indclass=[0] * len(numbers),
            indoption=[0] * len(numbers)))
        columns_sql = ", ".join(names)
        rows["pg_constraint"].append(dict(
            oid=oid_of("constraint", rel.schema, index_name), conname=index_name, connamespace=rel.namespace_oid,
            contype="p", condeferrable=False, condeferred=False, convalidated=True, conrelid=rel.oid, contypid=0,
            conindid=index_oid, conparentid=0, confrelid=0, conislocal=True, coninhcount=0, connoinherit=True,
            conkey=numbers, lb_def=f"PRIMARY KEY ({columns_sql})"))
        rows["pg_indexes"].append(dict(schemaname=rel.schema, tablename=rel.table.name, indexname=index_name,
                                       indexdef=f"CREATE UNIQUE INDEX {index_name} ON {rel.schema}.{rel.table.name} "
                                                f"USING btree ({columns_sql})"))
        rows["info.table_constraints"].append(dict(
            constraint_catalog=db, constraint_schema=rel.schema, constraint_name=index_name, table_catalog=db,
            table_schema=rel.schema, table_name=rel.table.name, constraint_type="PRIMARY KEY", is_deferrable="NO",
            initially_deferred="NO", enforced="YES"))
        for position, name in enumerate(names, start=1):
            rows["info.key_column_usage"].append(dict(
                constraint_catalog=db, constraint_schema=rel.schema, constraint_name=index_name, table_catalog=db,
                table_schema=rel.schema, table_name=rel.table.name, column_name=name, ordinal_position=position))

    @staticmethod
    def _info_column(db: str, rel: Relation, name: str, number: int, oid: int, typmod: int) -> dict:
        t = pgt.ALL_TYPES[oid]
        data_type = "ARRAY" if t.element else format_type(oid, -1)
        row = dict(table_catalog=db, table_schema=rel.schema, table_name=rel.table.name, column_name=name,
                   ordinal_position=number, is_nullable="YES", data_type=data_type, udt_catalog=db,
                   udt_schema="pg_catalog", udt_name=t.name, dtd_identifier=str(number), is_self_referencing="NO",
                   is_identity="NO", identity_cycle="NO", is_generated="NEVER",
                   is_updatable="YES" if rel.kind == "r" else "NO")
        if oid == pgt.NUMERIC:
            row.update(numeric_precision_radix=10)
            if typmod >= 4:
                row.update(numeric_precision=(typmod - 4) >> 16, numeric_scale=(typmod - 4) & 0xFFFF)
        elif oid in (pgt.INT2, pgt.INT4, pgt.INT8):
            row.update(numeric_precision={pgt.INT2: 16, pgt.INT4: 32, pgt.INT8: 64}[oid], numeric_precision_radix=2,
                       numeric_scale=0)
        elif oid in (pgt.FLOAT4, pgt.FLOAT8):
            row.update(numeric_precision=24 if oid == pgt.FLOAT4 else 53, numeric_precision_radix=2)
        elif oid in (pgt.VARCHAR, 1042) and typmod >= 4:
            row.update(character_maximum_length=typmod - 4, character_octet_length=(typmod - 4) * 4)
        elif oid == pgt.TEXT:
            row.update(character_octet_length=1073741824)
        elif oid in (pgt.TIMESTAMP, pgt.TIMESTAMPTZ, pgt.TIME, pgt.DATE):
            row.update(datetime_precision=0 if oid == pgt.DATE else 6)
        return row

    # -- running a query ---------------------------------------------------------------------------

    def run(self, expression: exp.Expression, pg, params: list | None, on_cursor=None):
        con, snap = self._connection(pg)
        expression = self.rewrite(expression, pg, snap, params)
        sandbox.check_expression(expression)
        sql = expression.sql("duckdb")
        cursor = con.cursor()
        if on_cursor:
            on_cursor(cursor)
        try:
            table = cursor.sql(sql).to_arrow_table()
        except duckdb.Error as error:
            message = str(error).split("\n")[0]
            message = re.sub(r"^[A-Za-z ]+ Error: ", "", message)
            if isinstance(error, duckdb.InterruptException):
                raise errors.OperationalError("query was cancelled") from None
            raise _catalog_error(message) from None
        finally:
            if on_cursor:
                on_cursor(None)
            cursor.close()
        table = _pg_types(table)
        table, vectors = _oidvectors(table)
        oids = {i: pgt.OID for i, f in enumerate(table.schema) if pa.types.is_uint32(f.type)}
        oids.update({i: pgt.OID_ARRAY for i, f in enumerate(table.schema)
                     if pa.types.is_list(f.type) and pa.types.is_uint32(f.type.value_type)})
        oids.update(vectors)
        return table, oids

    def rewrite(self, expression: exp.Expression, pg, snap: CatalogSnapshot, params) -> exp.Expression:
        expression = expression.copy()
        if params is not None or expression.find(exp.Placeholder, exp.Parameter):
            _bind_params(expression, params or [])
        _name_outputs(expression)
        expression = normalize_identifiers(expression, dialect="postgres")
        search = [snap.schemas.get(pg.current_schema(), -1), PG_CATALOG_NS]
        visible = exp.Array(expressions=[exp.Literal.number(o) for o in search])

        def transform(node: exp.Expression) -> exp.Expression:
            if isinstance(node, exp.Table) and isinstance(node.this, exp.Identifier):
                schema = node.db.lower() if node.db else ""
                name = node.name.lower()
                if schema in _CATALOG_SCHEMAS:
                    node.set("db", exp.to_identifier(_CATALOG_SCHEMAS[schema]))
                    node.set("catalog", None)
                elif not schema and name in PG_TABLES:
                    node.set("db", exp.to_identifier("lb_pg_catalog"))
                return node
            if isinstance(node, exp.Column) and node.args.get("db") is not None:
                schema = node.args["db"].name.lower()
                if schema in _CATALOG_SCHEMAS:
                    node.set("db", exp.to_identifier(_CATALOG_SCHEMAS[schema]))
                return node
            if isinstance(node, exp.Table) and node.db and node.db.lower() in _CATALOG_SCHEMAS:
                node.set("db", None)  # pg_catalog.unnest(...) and other table functions
                return node
            if isinstance(node, exp.Dot) and isinstance(node.this, exp.Identifier) \
                    and node.this.name.lower() in ("pg_catalog", "information_schema") \
                    and not isinstance(node.expression, exp.Identifier):
                return node.expression
            if isinstance(node, exp.Collate):
                return node.this
            if isinstance(node, exp.Bracket) and isinstance(node.this.unnest(), exp.Column) \
                    and node.this.unnest().name.lower() in _VECTOR_COLUMNS and len(node.expressions) == 1 \
                    and not isinstance(node.expressions[0], exp.Slice):
                # oidvector and int2vector subscripts count from 0, DuckDB's lists from 1
                node.set("expressions", [exp.Add(this=node.expressions[0].copy(), expression=exp.Literal.number(1))])
                return node
            if isinstance(node, exp.Operator):
                return _operator(node)
            if isinstance(node, exp.Cast):
                return self._cast(node, visible)
            if isinstance(node, exp.CurrentSchemas):
                include = not isinstance(node.this, exp.Boolean) or node.this.this
                names = (["pg_catalog"] if include else []) + [pg.current_schema()]
                return exp.Array(expressions=[exp.Literal.string(n) for n in names])
            if isinstance(node, exp.CurrentSchema):
                return exp.Literal.string(pg.current_schema())
            if isinstance(node, (exp.CurrentUser,)):
                return exp.Literal.string(pg.user)
            if isinstance(node, exp.Column) and not node.table and node.name.lower() in (
                    "user", "session_user", "current_user", "current_role", "current_catalog") \
                    and not node.this.quoted:
                return exp.Literal.string(pg.database if node.name.lower() == "current_catalog" else pg.user)
            if isinstance(node, exp.Any) and isinstance(node.parent, exp.EQ):
                return node
            name = _function_name(node)
            if name is None:
                return node
            args = _function_args(node)
            return self._function(node, name, args, pg, snap, visible)

        def visit(node: exp.Expression) -> exp.Expression:
            for child in list(node.iter_expressions()):
                visit(child)
            new = transform(node)
            if new is not node:
                if node.parent is None:
                    return new
                node.replace(new)
            return new

        expression = visit(expression)
        _reg_names(expression, visible)
        return expression

    def _function(self, node, name: str, args: list, pg, snap, visible) -> exp.Expression:
        from lakebox.server.pgsession import version_string

        if name == "version":
            return exp.Literal.string(version_string())
        if name in ("current_database", "current_catalog"):
            return exp.Literal.string(snap.database)
        if name in ("current_user", "session_user", "current_role", "user"):
            return exp.Literal.string(pg.user)
        if name == "current_schema":
            return exp.Literal.string(pg.current_schema())
        if name == "pg_backend_pid":
            return exp.Literal.number(getattr(pg, "process_id", 0))
        if name in ("pg_is_in_recovery", "pg_jit_available"):
            return exp.false()
        if name in ("txid_current", "pg_current_xact_id"):
            return exp.Literal.number(1)
        if name in ("inet_server_addr", "inet_client_addr", "inet_server_port", "inet_client_port",
                    "pg_my_temp_schema", "pg_trigger_depth"):
            return exp.null()
        if name in ("pg_postmaster_start_time", "pg_conf_load_time"):
            return exp.CurrentTimestamp()
        if name in ("current_setting",):
            setting = _literal_text(args[0]) if args else None
            if setting is None:
                return exp.null()
            key = setting.lower()
            if key not in pg.settings:
                missing_ok = len(args) > 1 and _literal_text(args[1]) in ("true", "t", "1")
                if missing_ok or "." in key:
                    return exp.null()
                raise _CatalogError(f'unrecognized configuration parameter "{setting}"', "42704")
            return exp.Literal.string(pg.settings[key])
        if name == "set_config":
            setting, value = (_literal_text(a) for a in args[:2])
            if setting is None:
                raise _CatalogError("set_config needs a constant setting name", "0A000")
            pg._set(setting, value or "")
            return exp.Literal.string(pg.settings.get(setting.lower(), value or ""))
        if name in ("pg_encoding_to_char", "pg_client_encoding", "getdatabaseencoding"):
            return exp.Literal.string("UTF8")
        if name == "pg_char_to_encoding":
            return exp.Literal.number(6)
        if name in _TRUE_FUNCTIONS:
            return exp.true()
        if name in _FALSE_FUNCTIONS:
            return exp.false()
        if name in _NULL_FUNCTIONS:
            return exp.null()
        if name in _ZERO_FUNCTIONS:
            return exp.Literal.number(0)
        if name == "pg_size_pretty":
            return exp.Concat(expressions=[exp.cast(args[0], "VARCHAR"), exp.Literal.string(" bytes")])
        if name == "pg_table_is_visible":
            return exp.Anonymous(this="lb_table_is_visible", expressions=[args[0], visible.copy()])
        if name == "pg_get_expr":
            return args[0] if args else exp.null()
        if name == "obj_description":
            return exp.Anonymous(this="lb_obj_description1", expressions=[args[0]])
        if name in ("to_regclass",):
            return exp.Anonymous(this="lb_regclass_in", expressions=[args[0], visible.copy()])
        if name in ("to_regtype",):
            return exp.Anonymous(this="lb_regtype_in", expressions=[args[0]])
        if name in ("array_upper", "array_length", "cardinality"):
            return exp.Anonymous(this="len", expressions=args[:1])
        if name == "array_lower":
            return exp.Literal.number(1)
        if name == "array_ndims":
            return exp.Literal.number(1)
        if name in ("json_build_object", "jsonb_build_object"):
            return exp.Anonymous(this="json_object", expressions=args)
        if name in ("json_build_array", "jsonb_build_array"):
            return exp.Anonymous(this="json_array", expressions=args)
        if name == "string_to_array":
            return exp.Anonymous(this="string_split", expressions=args[:2])
        if name == "pg_typeof":
            return exp.Literal.string("unknown")
        if name in _FUNCTION_MACROS:
            macro = _FUNCTION_MACROS[name]
            if macro == "lb_format_type" and len(args) == 1:
                args = args + [exp.null()]
            if macro == "lb_expandarray":
                return exp.Anonymous(this="unnest", expressions=[exp.Anonymous(this=macro, expressions=args)])
            if macro in ("lb_get_constraintdef", "lb_get_indexdef", "lb_get_viewdef"):
                args = args[:1]
            return exp.Anonymous(this=macro, expressions=args)
        return node

    def _cast(self, node: exp.Cast, visible: exp.Array) -> exp.Expression:
        target = _cast_target(node)
        inner = node.this
        if target in ("regclass", "regtype"):
            if _reg_kind(inner) is not None:
                inner = inner.this
            if isinstance(inner, exp.Literal) and inner.is_string or _is_textual(inner):
                oid = _reg_in(target, inner, visible)
            else:
                oid = exp.cast(inner, _UINT)
            return _reg_value(oid, target)
        if target in ("regproc", "regprocedure"):
            if isinstance(inner, exp.Literal) and inner.is_string:
                # pg_type.typinput and friends hold function names, so a regproc literal is its name
                name = exp.Literal.string(_unquote_name(inner.this.split("(")[0].strip()).split(".")[-1])
                name.meta["regproc"] = True  # ...until a further ::oid cast looks it up in pg_proc
                return name
            return _RegName(this="lb_regproc_name", expressions=[inner])
        if target == "regnamespace":
            return _RegName(this="lb_regnamespace_name", expressions=[inner])
        if target in ("regrole",):
            return exp.Anonymous(this="lb_get_userbyid", expressions=[inner])
        if target in _REG_TYPES:
            return exp.cast(exp.Literal.number(0), _UINT)
        if target in ("text", "varchar", "character varying") and isinstance(inner.unnest(), exp.Column) \
                and inner.unnest().name.lower() in _VECTOR_COLUMNS:  # proargtypes::text is '25 23'
            return exp.Anonymous(this="array_to_string", expressions=[inner, exp.Literal.string(" ")])
        if _reg_kind(inner) is not None:  # an OID that prints as a name: as text its name, else its OID
            if target in ("text", "varchar", "name", "character varying", "bpchar"):
                return exp.cast(_reg_name(inner), "VARCHAR")
            inner = inner.this
            node.set("this", inner)
        if target == "oid":
            if _is_regname(inner):  # 'x'::regproc::oid and friends
                return exp.cast(inner.expressions[0], _UINT)
            if isinstance(inner, exp.Literal) and inner.meta.get("regproc"):  # psql's \sf: 'name'::regproc::oid
                return _regproc_oid(inner.this)
            return exp.cast(inner, _UINT)
        if target in ARRAY_CASTS:
            return exp.cast(inner, exp.DataType.build(ARRAY_CASTS[target][0], dialect="duckdb"))
        if target in _PG_CAST_TYPES:
            return exp.cast(inner, exp.DataType.build(_PG_CAST_TYPES[target], dialect="duckdb"))
        if target in ("name", '"char"', "char_pg", "bpchar"):
            return exp.cast(inner, "VARCHAR")
        if target in ("int2vector", "oidvector"):
            return exp.cast(inner, "VARCHAR")
        if target == "text" and _is_regname(inner):
            return inner
        return node


# regclass and regtype values are OIDs that print as names. A cast to either gives the OID (so that
# comparisons, joins and function arguments see numbers, as in PostgreSQL) marked with its kind; the
# mark turns it into the name where PostgreSQL would print it: as an output column of a query, as
# text (::text, ||), and a string compared with it is read as a name of that kind.
_REG_META = "lb_reg"
_REG_NAMES = {"regclass": "lb_regclass_name", "regtype": "lb_regtype_name"}


def _reg_value(oid: exp.Expression, kind: str) -> exp.Expression:
    node = exp.Paren(this=oid)
    node.meta[_REG_META] = kind
    return node


def _reg_kind(node) -> str | None:
    return node.meta.get(_REG_META) if isinstance(node, exp.Paren) else None


def _reg_name(node: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=_REG_NAMES[_reg_kind(node)], expressions=[node.this])


def _reg_in(kind: str, text: exp.Expression, visible: exp.Array) -> exp.Expression:
    if kind == "regclass":
        if isinstance(text, exp.Literal) and text.is_string:
            return _regclass_literal(text.this, visible)
        return exp.Anonymous(this="lb_regclass_in", expressions=[text, visible.copy()])
    return exp.Anonymous(this="lb_regtype_in", expressions=[text])


def _reg_names(expression: exp.Expression, visible: exp.Array) -> None:
    """Marked reg values become names where PostgreSQL prints them (see _reg_value)."""
    for node in list(expression.find_all(exp.Paren)):
        kind = _reg_kind(node)
        if kind is None or node.parent is None:
            continue
        parent = node.parent
        projection = parent if isinstance(parent, exp.Alias) else node
        if isinstance(projection.parent, exp.Select) and projection.arg_key == "expressions" \
                and _row_source(projection.parent):
            node.replace(_reg_name(node))
        elif isinstance(parent, (exp.DPipe, exp.Concat)):
            node.replace(_reg_name(node))
        elif isinstance(parent, (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.In)):
            if isinstance(parent, exp.In):
                others = parent.expressions if node is parent.this else []
            else:
                others = [parent.expression if node is parent.this else parent.this]
            for other in others:
                if isinstance(other, exp.Literal) and other.is_string:
                    other.replace(_reg_in(kind, other.copy(), visible))


def _row_source(select: exp.Select) -> bool:
    """Whether a query's rows are the result's or a table's in FROM (not a scalar or IN subquery)."""
    node = select
    while node.parent is not None:
        parent = node.parent
        if isinstance(parent, (exp.Union, exp.Intersect, exp.Except, exp.CTE, exp.With, exp.From, exp.Join)):
            node = parent
        elif isinstance(parent, exp.Subquery) and node is parent.this:
            node = parent
        elif isinstance(parent, exp.Select) and isinstance(node, (exp.From, exp.Join, exp.With)):
            node = parent
        else:
            return False
    return True


def _RegName(this: str, expressions: list) -> exp.Expression:
    """A reg* cast of an OID: prints as a name; a further ::oid cast gets the OID back."""
    node = exp.Anonymous(this=this, expressions=expressions)
    node.meta["regname"] = True
    return node


def _is_regname(node) -> bool:
    return isinstance(node, exp.Anonymous) and node.meta.get("regname", False)


def _regclass_literal(text: str, visible: exp.Array) -> exp.Expression:
    return exp.Coalesce(this=exp.Anonymous(this="lb_regclass_in", expressions=[exp.Literal.string(_unquote_name(text)),
                                                                           visible.copy()]),
                     expressions=[exp.Anonymous(this="error", expressions=[
                         exp.Literal.string(f'relation "{text}" does not exist')])])


def _regproc_oid(name: str) -> exp.Expression:
    """The OID of the one function called `name`, or PostgreSQL's errors when there are none or several."""
    quoted = name.replace("'", "''")
    missing = f'function "{name}" does not exist'.replace("'", "''")
    several = f'more than one function named "{name}"'.replace("'", "''")
    return sqlglot.parse_one(
        f"(SELECT CASE WHEN count(*) = 1 THEN min(lbp.oid) WHEN count(*) = 0 THEN error('{missing}') "
        f"ELSE error('{several}') END FROM lb_pg_catalog.pg_proc lbp WHERE lbp.proname = '{quoted}')", read="duckdb")


def _unquote_name(text: str) -> str:
    parts = [p.strip() for p in re.findall(r'"(?:[^"]|"")*"|[^.]+', text)]
    return ".".join(p[1:-1].replace('""', '"') if p.startswith('"') else p.lower() for p in parts)


def _is_textual(node: exp.Expression) -> bool:
    return isinstance(node, exp.Cast) and _cast_target(node) in ("text", "varchar", "name") or \
        (isinstance(node, exp.Literal) and node.is_string)


class _CatalogError(errors.ProgrammingError):
    def __init__(self, message: str, sqlstate: str):
        super().__init__(message)
        self.sqlstate = sqlstate


def _catalog_error(message: str) -> errors.Error:
    if re.match(r'function "[^"]*" does not exist', message):
        return _CatalogError(message, "42883")
    if message.startswith("more than one function named"):
        return _CatalogError(message, "42725")
    if "Scalar Function with name" in message or "Table Function with name" in message:
        return _CatalogError(message, "42883")
    if "does not exist" in message and message.startswith("relation"):
        return _CatalogError(message, "42P01")
    match = re.search(r'(relation "[^"]*" does not exist)', message)
    if match:
        return _CatalogError(match.group(1), "42P01")
    if "Table with name" in message or "does not exist" in message:
        return _CatalogError(message, "42P01")
    if "Referenced column" in message or "not found in FROM clause" in message:
        return _CatalogError(message, "42703")
    if "Parser" in message or "syntax" in message.lower():
        return _CatalogError(message, "42601")
    if "Scalar Function with name" in message or "Table Function with name" in message:
        return _CatalogError(message, "42883")
    return _CatalogError(message, "XX000")


def _cast_target(node: exp.Cast) -> str:
    to = node.to
    if isinstance(to, exp.ObjectIdentifier):
        return to.name.lower()
    if isinstance(to, exp.DataType):
        if to.this == exp.DataType.Type.USERDEFINED:
            kind = to.args.get("kind")
            text = kind.name if isinstance(kind, exp.Expression) else str(kind)
            return text.split(".")[-1].lower()
        if to.this == exp.DataType.Type.NAME if hasattr(exp.DataType.Type, "NAME") else False:
            return "name"
        return to.sql("postgres").lower().split(".")[-1]
    return to.sql("postgres").lower()


_SQLGLOT_FUNCTIONS = {"CurrentVersion": "version", "CurrentDatabase": "current_database",
                      "CurrentCatalog": "current_catalog", "CurrentSchema": "current_schema",
                      "CurrentUser": "current_user", "SessionUser": "session_user"}


def _function_name(node: exp.Expression) -> str | None:
    mapped = _SQLGLOT_FUNCTIONS.get(type(node).__name__)
    if mapped and mapped not in ("current_schema", "current_user"):
        return mapped
    if isinstance(node, exp.Anonymous):
        return str(node.this).lower().split(".")[-1]
    if type(node).__name__ == "ArraySize":
        return "array_length"
    if type(node).__name__ == "StringToArray":
        return "string_to_array"
    if isinstance(node, (exp.CurrentSchemas, exp.CurrentSchema, exp.CurrentUser)):
        return None
    if isinstance(node, exp.Func) and not isinstance(node, (exp.Cast, exp.Any, exp.Array)):
        name = node.sql_name().lower()
        return name if name in CATALOG_FUNCTIONS else None
    return None


def _function_args(node: exp.Expression) -> list[exp.Expression]:
    if isinstance(node, exp.Anonymous):
        return list(node.expressions)
    args = []
    for key in node.arg_types:
        value = node.args.get(key)
        if isinstance(value, list):
            args.extend(value)
        elif isinstance(value, exp.Expression):
            args.append(value)
    return args


def _literal_text(node) -> str | None:
    if isinstance(node, exp.Literal):
        return node.this
    if isinstance(node, exp.Boolean):
        return "true" if node.this else "false"
    if isinstance(node, exp.Cast):
        return _literal_text(node.this)
    return None


_OPERATORS = {"~": "regexp", "!~": "not regexp", "~*": "iregexp", "!~*": "not iregexp", "=": exp.EQ, "<>": exp.NEQ,
              "!=": exp.NEQ, "<": exp.LT, ">": exp.GT, "<=": exp.LTE, ">=": exp.GTE, "~~": "like", "!~~": "not like",
              "~~*": "ilike", "!~~*": "not ilike", "||": exp.DPipe}


def _operator(node: exp.Operator) -> exp.Expression:
    op = str(node.args.get("operator", "")).split(".")[-1].strip()
    left, right = node.this, node.expression
    if isinstance(right, exp.Collate):
        right = right.this
    kind = _OPERATORS.get(op)
    if kind is None:
        raise _CatalogError(f"operator does not exist: {op}", "42883")
    if isinstance(kind, str):
        negate = kind.startswith("not ")
        kind = kind.replace("not ", "")
        if kind in ("regexp", "iregexp"):
            flags = [exp.Literal.string("i")] if kind == "iregexp" else []
            result = exp.Anonymous(this="regexp_matches", expressions=[left, right] + flags)
        elif kind == "like":
            result = exp.Like(this=left, expression=right)
        else:
            result = exp.ILike(this=left, expression=right)
        return exp.Not(this=result) if negate else result
    return kind(this=left, expression=right)


def _bind_params(expression: exp.Expression, params: list) -> None:
    for node in list(expression.find_all(exp.Placeholder, exp.Parameter)):
        text = node.name if isinstance(node, exp.Placeholder) else node.this.name if node.this else ""
        try:
            index = int(str(text).lstrip("$")) - 1
        except ValueError:
            continue
        if index < 0 or index >= len(params):
            raise _CatalogError(f"there is no parameter ${index + 1}", "42P02")
        value = params[index]
        if isinstance(value, (list, tuple)):
            node.replace(exp.Array(expressions=[_literal(v) for v in value]))
        elif value is None:
            node.replace(exp.null())
        elif isinstance(value, bool):
            node.replace(exp.Boolean(this=value))
        elif isinstance(value, (int, float)):
            node.replace(exp.Literal.number(value))
        else:
            node.replace(exp.Literal.string(str(value)))


def _literal(value) -> exp.Expression:
    if value is None:
        return exp.null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, (int, float)):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))


def _name_outputs(expression: exp.Expression) -> None:
    """PostgreSQL's names for unnamed output columns: a function's name, a cast's type, '?column?'."""
    select = expression
    while isinstance(select, (exp.Union, exp.Subquery)):
        select = select.this
    if not isinstance(select, exp.Select):
        return
    for projection in list(select.expressions):
        if isinstance(projection, (exp.Alias, exp.Column, exp.Star, exp.Dot)):
            continue
        name = _output_name(projection)
        projection.replace(exp.alias_(projection.copy(), name, quoted=True))


def _output_name(node: exp.Expression) -> str:
    """The column name PostgreSQL gives an unnamed output column (its FigureColname)."""
    return _figure_name(node)[0]


def _figure_name(node: exp.Expression) -> tuple[str, int]:
    """(name, strength) as PostgreSQL's FigureColnameInternal: a column's or a function's name is
    strong (2); a cast's type name is weak (1) and gives way to a strong name of its operand, so the
    outermost of nested casts names the column; a subscript is named by what it subscripts."""
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Column):
        return node.name, 2
    if isinstance(node, exp.Bracket):
        return _figure_name(node.this)  # proargtypes[0] is proargtypes
    if isinstance(node, exp.Cast):
        name, strength = _figure_name(node.this)
        if strength > 1:
            return name, strength
        target = _cast_target(node)
        return {"integer": "int4", "int": "int4", "bigint": "int8", "smallint": "int2", "boolean": "bool",
                "double precision": "float8", "real": "float4", "character varying": "varchar"}.get(target, target), 1
    if isinstance(node, exp.CurrentSchemas):
        return "current_schemas", 2
    if isinstance(node, exp.CurrentSchema):
        return "current_schema", 2
    if isinstance(node, exp.CurrentUser):
        return "current_user", 2
    if type(node).__name__ in _SQLGLOT_FUNCTIONS:
        return _SQLGLOT_FUNCTIONS[type(node).__name__], 2
    if isinstance(node, exp.Anonymous):
        return str(node.this).lower().split(".")[-1], 2
    if isinstance(node, exp.Dot) and isinstance(node.expression, exp.Func):
        return _figure_name(node.expression)
    if isinstance(node, exp.Func) and not isinstance(node, (exp.Binary, exp.Not, exp.Paren)):
        return node.sql_name().lower(), 2
    return "?column?", 0


#: PostgreSQL's types of the vector columns (the rest of _VECTOR_COLUMNS are oidvectors)
_INT2VECTORS = {"indkey", "indoption", "tgattr", "partattrs", "stxkeys"}


def _oidvectors(table: pa.Table) -> tuple[pa.Table, dict[int, int]]:
    """The int2vector and oidvector columns (pg_proc.proargtypes, pg_index.indkey, ...), typed so:
    PostgreSQL prints them space-separated ('25 23', which pgJDBC splits on spaces), not as arrays."""
    oids = {}
    for i, f in enumerate(table.schema):
        if f.name in _VECTOR_COLUMNS and pa.types.is_list(f.type):
            oids[i] = pgt.INT2VECTOR if f.name in _INT2VECTORS else pgt.OIDVECTOR
    return table, oids


def _pg_types(table: pa.Table) -> pa.Table:
    """Catalog results as the types PostgreSQL would send (e.g. no unsigned 64-bit counts)."""
    fields = []
    changed = False
    for f in table.schema:
        if pa.types.is_uint64(f.type) or pa.types.is_uint16(f.type):
            fields.append(pa.field(f.name, pa.int64()))
            changed = True
        elif pa.types.is_decimal(f.type) and f.type.scale == 0 and f.type.precision <= 18:
            fields.append(pa.field(f.name, pa.int64()))
            changed = True
        else:
            fields.append(f)
    return table.cast(pa.schema(fields)) if changed else table
