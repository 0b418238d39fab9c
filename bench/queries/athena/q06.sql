-- TPC-H Q6: forecasting revenue change (Athena / Trino dialect)
select
    sum(l_extendedprice * l_discount) as revenue
from
    "tpch"."lineitem"
where
    l_shipdate >= date '1994-01-01'
    and l_shipdate < date_add('year', 1, date '1994-01-01')
    and l_discount between 0.06 - 0.01 and 0.06 + 0.01
    and l_quantity < 24
