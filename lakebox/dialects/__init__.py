"""Athena and Redshift SQL: statement parsing, type mapping and semantic rewrite rules."""
