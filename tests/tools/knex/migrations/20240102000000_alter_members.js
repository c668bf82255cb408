// On the indexed table members: add a NOT NULL column with a default, rename one, drop one.
exports.up = async (knex) => {
  await knex.schema.alterTable("members", (t) => {
    t.string("role", 20).notNullable().defaultTo("member");
  });
  await knex.schema.alterTable("members", (t) => {
    t.renameColumn("email", "contact_email");
  });
  await knex.schema.alterTable("members", (t) => {
    t.dropColumn("nickname");
  });
};

exports.down = async (knex) => {
  await knex.schema.alterTable("members", (t) => {
    t.string("nickname", 40);
  });
  await knex.schema.alterTable("members", (t) => {
    t.renameColumn("contact_email", "email");
  });
  await knex.schema.alterTable("members", (t) => {
    t.dropColumn("role");
  });
};
