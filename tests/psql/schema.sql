CREATE SEQUENCE order_seq START 1000;
CREATE TABLE customers (
  id integer PRIMARY KEY,
  name varchar(100) NOT NULL,
  email text UNIQUE,
  created_at timestamp DEFAULT current_timestamp,
  active boolean DEFAULT true
);
CREATE TABLE orders (
  order_id bigint PRIMARY KEY DEFAULT nextval('order_seq'),
  customer_id integer NOT NULL REFERENCES customers(id),
  amount numeric(10,2) NOT NULL DEFAULT 0,
  note varchar,
  placed date,
  CHECK (amount >= 0)
);
CREATE INDEX orders_customer_idx ON orders(customer_id);
CREATE UNIQUE INDEX customers_name_idx ON customers(name);
CREATE VIEW big_orders AS SELECT * FROM orders WHERE amount > 100;
CREATE SCHEMA sales;
CREATE TABLE sales.regions (code varchar PRIMARY KEY, label text, weight double precision, tags text[]);
CREATE TABLE "MixedCase" ("Id" integer PRIMARY KEY, "select" text);
CREATE MACRO add_tax(x) AS x * 1.2;
COMMENT ON TABLE orders IS 'customer orders';
COMMENT ON COLUMN orders.note IS 'free text';
