// Associations v4: default association, labelled batch create, one record's page, batch read,
// the labels of a pair, removal.
"use strict";
const { run } = require("./common");

run(async (client, input) => {
  const { contact, company, deal } = input;
  const v4 = client.crm.associations.v4;
  const byDefault = await v4.basicApi.createDefault("contacts", contact, "companies", company);
  const labelled = await v4.batchApi.create("deals", "contacts", {
    inputs: [{ _from: { id: deal }, to: { id: contact }, types: [{ associationCategory: "HUBSPOT_DEFINED", associationTypeId: 3 }] }],
  });
  const page = await v4.basicApi.getPage("contacts", contact, "companies");
  const batch = await v4.batchApi.getPage("contacts", "deals", { inputs: [{ id: contact }] });
  const labels = await v4.schema.definitionsApi.getAll("contacts", "companies");
  await v4.basicApi.archive("deals", deal, "contacts", contact);
  const after = await v4.basicApi.getPage("deals", deal, "contacts");
  return {
    defaultTypes: byDefault.results.map((r) => [r._from.id, r.to.id, r.associationSpec.associationTypeId]),
    labelled: labelled.results.map((r) => [String(r.fromObjectId), String(r.toObjectId)]),
    page: page.results.map((r) => [String(r.toObjectId), r.associationTypes.map((t) => t.typeId)]),
    batch: batch.results.map((r) => [r._from.id, r.to.map((t) => String(t.toObjectId))]),
    labelTypeIds: labels.results.map((l) => l.typeId).sort((a, b) => a - b),
    afterArchive: after.results.length,
  };
});
