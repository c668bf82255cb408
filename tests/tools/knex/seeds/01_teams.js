// Two teams and three members.
exports.seed = async (knex) => {
  await knex("members").del();
  await knex("teams").del();
  const [red, blue] = await knex("teams").insert([{ name: "red" }, { name: "blue" }]).returning("id");
  await knex("members").insert([
    { team_id: red.id, contact_email: "ann@example.com", role: "lead" },
    { team_id: red.id, contact_email: "bob@example.com" },
    { team_id: blue.id, contact_email: "cid@example.com" },
  ]);
};
