{{ config(materialized='incremental', unique_key='order_id') }}
select order_id, customer_id, date_trunc('month', ordered_at)::date as month, amount
from {{ ref('stg_orders') }}
{% if is_incremental() %}
where ordered_at >= (select max(month) from {{ this }})
{% endif %}
