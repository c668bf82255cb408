{{ config(materialized='view') }}
select id as order_id, customer_id, amount, ordered_at
from {{ ref('orders') }}
where amount > 1
