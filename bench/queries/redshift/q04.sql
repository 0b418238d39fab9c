-- TPC-H Q4: order priority checking (Redshift dialect)
select
    o_orderpriority,
    count(*) as order_count
from
    tpch.orders
where
    o_orderdate >= '1993-07-01'::date
    and o_orderdate < dateadd(month, 3, '1993-07-01'::date)
    and exists (
        select *
        from tpch.lineitem
        where l_orderkey = o_orderkey
            and l_commitdate < l_receiptdate
    )
group by
    o_orderpriority
order by
    o_orderpriority
