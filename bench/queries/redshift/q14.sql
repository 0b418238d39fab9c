-- TPC-H Q14: promotion effect (Redshift dialect)
select
    100.00 * sum(case when p_type like 'PROMO%' then l_extendedprice * (1 - l_discount) else 0 end)
        / sum(l_extendedprice * (1 - l_discount))::float8 as promo_revenue
from
    tpch.lineitem,
    tpch.part
where
    l_partkey = p_partkey
    and l_shipdate >= '1995-09-01'::date
    and l_shipdate < dateadd(month, 1, '1995-09-01'::date)
