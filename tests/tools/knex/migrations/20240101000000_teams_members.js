// Two tables; members.team_id references teams ON DELETE CASCADE; an index on members.email.
exports.up = async (knex) => {
  await knex.schema.createTable("teams", (t) => {
    t.increments("id");
    t.string("name", 60).notNullable().unique();
  });
  await knex.schema.createTable("members", (t) => {
    t.increments("id");
    t.integer("team_id").notNullable().references("id").inTable("teams").onDelete("CASCADE");
    t.string("email", 120).notNullable().index("members_email_idx");
    t.string("nickname", 40);
    t.timestamps(true, true);
  });
};

exports.down = async (knex) => {
  await knex.schema.dropTable("members");
  await knex.schema.dropTable("teams");
};
