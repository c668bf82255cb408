// knex configuration for tests/tools/test_knex.py: the database comes from libpq's variables.
module.exports = {
  client: "pg",
  connection: {
    host: process.env.PGHOST,
    port: Number(process.env.PGPORT),
    database: process.env.PGDATABASE,
    user: process.env.PGUSER,
    password: process.env.PGPASSWORD,
    ssl: false,
  },
  pool: { min: 0, max: 2 },
  migrations: { directory: "./migrations", tableName: "knex_migrations" },
  seeds: { directory: "./seeds" },
};
