// Contacts: create, read, update, list, search, batch create and archive.
"use strict";
const { run } = require("./common");

run(async (client) => {
  const contacts = client.crm.contacts;
  const created = await contacts.basicApi.create({
    properties: { email: "ada@example.com", firstname: "Ada", lastname: "Lovelace" },
    associations: [],
  });
  const read = await contacts.basicApi.getById(created.id, ["email", "firstname", "lastname"]);
  const updated = await contacts.basicApi.update(created.id, { properties: { lastname: "King" } });
  const batch = await contacts.batchApi.create({
    inputs: [
      { properties: { email: "grace@example.com", firstname: "Grace" }, associations: [] },
      { properties: { email: "alan@example.com", firstname: "Alan" }, associations: [] },
    ],
  });
  const found = await contacts.searchApi.doSearch({
    filterGroups: [{ filters: [{ propertyName: "email", operator: "EQ", value: "grace@example.com" }] }],
    properties: ["email", "firstname"],
    limit: 10,
    after: "0",
    sorts: [],
  });
  const gone = batch.results.find((c) => c.properties.email === "alan@example.com");
  await contacts.basicApi.archive(gone.id);
  const page = await contacts.basicApi.getPage(100, undefined, ["email", "lastname"]);
  const all = await contacts.getAll(undefined, undefined, ["email"]);
  return {
    id: created.id,
    read: read.properties,
    updatedLastname: updated.properties.lastname,
    batchStatus: batch.status,
    found: found.results.map((c) => [c.id, c.properties.email, c.properties.firstname]),
    foundTotal: found.total,
    archived: gone.id,
    page: page.results.map((c) => [c.id, c.properties.email, c.properties.lastname]),
    all: all.map((c) => c.id),
  };
});
