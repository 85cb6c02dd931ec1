// Properties: create a custom property, read it back, list, then write and read it on a contact.
"use strict";
const { run } = require("./common");

run(async (client, input) => {
  const properties = client.crm.properties.coreApi;
  const created = await properties.create("contacts", {
    name: "favourite_engine",
    label: "Favourite engine",
    type: "enumeration",
    fieldType: "select",
    groupName: "contactinformation",
    options: [
      { label: "Analytical", value: "analytical", displayOrder: 0, hidden: false },
      { label: "Difference", value: "difference", displayOrder: 1, hidden: false },
    ],
  });
  const read = await properties.getByName("contacts", "favourite_engine");
  const all = await properties.getAll("contacts");
  await client.crm.contacts.basicApi.update(input.contact, { properties: { favourite_engine: "difference" } });
  const contact = await client.crm.contacts.basicApi.getById(input.contact, ["favourite_engine"]);
  const groups = await client.crm.properties.groupsApi.getAll("contacts");
  return {
    created: [created.name, created.type, created.fieldType, created.options.map((o) => o.value)],
    read: [read.name, read.label, read.groupName],
    listed: all.results.some((p) => p.name === "favourite_engine"),
    names: all.results.map((p) => p.name).sort(),
    value: contact.properties.favourite_engine,
    groups: groups.results.map((g) => g.name).sort(),
  };
});
