-- TPC-H Q6: forecasting revenue change (Redshift dialect)
select
    sum(l_extendedprice * l_discount) as revenue
from
    tpch.lineitem
where
    l_shipdate >= '1994-01-01'::date
    and l_shipdate < dateadd(yr, 1, '1994-01-01'::date)
    and l_discount between 0.06 - 0.01 and 0.06 + 0.01
    and l_quantity < 24
