-- TPC-H Q14: promotion effect (Athena / Trino dialect)
select
    100.00 * sum(case
        when p_type like 'PROMO%'
            then l_extendedprice * (1 - l_discount)
        else 0
    end) / cast(sum(l_extendedprice * (1 - l_discount)) as double) as promo_revenue
from
    tpch.lineitem,
    tpch.part
where
    l_partkey = p_partkey
    and l_shipdate >= date '1995-09-01'
    and l_shipdate < date_add('month', 1, date '1995-09-01')
