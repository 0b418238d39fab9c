-- TPC-H Q3: shipping priority (Redshift dialect)
select top 10
    l.l_orderkey,
    sum(l.l_extendedprice * (1 - l.l_discount)) as revenue,
    o.o_orderdate,
    o.o_shippriority
from
    tpch.customer c
    join tpch.orders o on c.c_custkey = o.o_custkey
    join tpch.lineitem l on l.l_orderkey = o.o_orderkey
where
    c.c_mktsegment = 'BUILDING'
    and o.o_orderdate < '1995-03-15'::date
    and l.l_shipdate > '1995-03-15'::date
group by
    l.l_orderkey,
    o.o_orderdate,
    o.o_shippriority
order by
    revenue desc,
    o.o_orderdate
