// node-postgres against a DuckCDB PDB: parameterized queries, type parsing, transactions, a pool.
const assert = require("assert");
const { Client, Pool } = require("pg");

async function main() {
  const [port, database, user, password] = process.argv.slice(2);
  const config = { host: "127.0.0.1", port: Number(port), database, user, password, ssl: false };
  const client = new Client(config);
  await client.connect();
  await client.query("create table node_items(id int primary key, name text, price numeric(10,2), ts timestamptz, tags text[], doc json, ok boolean)");
  const ins = await client.query(
    "insert into node_items values ($1, $2, $3, $4, $5, $6, $7)",
    [1, "apple", "1.50", new Date("2024-01-02T03:04:05Z"), ["a", "b"], JSON.stringify({ k: 1 }), true],
  );
  assert.strictEqual(ins.rowCount, 1);
  const r = await client.query("select id, name, price, ts, tags, doc, ok, 7/2 as div from node_items where id = $1", [1]);
  const row = r.rows[0];
  assert.strictEqual(row.id, 1);
  assert.strictEqual(row.name, "apple");
  assert.strictEqual(row.price, "1.50");
  assert.strictEqual(row.ts.toISOString(), "2024-01-02T03:04:05.000Z");
  assert.deepStrictEqual(row.tags, ["a", "b"]);
  assert.deepStrictEqual(row.doc, { k: 1 });
  assert.strictEqual(row.ok, true);
  assert.strictEqual(row.div, 3);
  // transactions
  await client.query("BEGIN");
  await client.query("insert into node_items(id, name) values (2, 'pear')");
  await client.query("ROLLBACK");
  assert.strictEqual((await client.query("select count(*)::int as n from node_items")).rows[0].n, 1);
  await client.query("BEGIN");
  await client.query("insert into node_items(id, name) values (3, 'plum')");
  await client.query("COMMIT");
  // errors carry SQLSTATEs
  await assert.rejects(client.query("insert into node_items(id) values (3)"), (e) => e.code === "23505");
  await client.end();
  // a pool
  const pool = new Pool({ ...config, max: 4 });
  const results = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((i) => pool.query("select $1::int * 2 as v", [i])));
  assert.deepStrictEqual(results.map((x) => x.rows[0].v), [2, 4, 6, 8, 10, 12, 14, 16]);
  await pool.end();
  console.log("NODE OK");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
