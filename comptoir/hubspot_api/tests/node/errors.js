// Errors as the SDK receives them: a missing record, a refused value, an unknown property,
// a wrong token, a missing association.
"use strict";
const { run, client: makeClient, expectError } = require("./common");

run(async (client) => {
  const contacts = client.crm.contacts.basicApi;
  return {
    missing: await expectError(contacts.getById("987654321")),
    badEmail: await expectError(contacts.create({ properties: { email: "not an email" }, associations: [] })),
    unknownProperty: await expectError(contacts.create({ properties: { no_such_property: "x" }, associations: [] })),
    badToken: await expectError(makeClient("pat-na1-00000000-0000-0000-0000-000000000000").crm.contacts.basicApi.getPage()),
    missingAssociation: await expectError(
      client.crm.associations.v4.basicApi.createDefault("contacts", "987654321", "companies", "987654322"),
    ),
    missingImport: await expectError(client.crm.imports.coreApi.getById(987654321)),
  };
});
