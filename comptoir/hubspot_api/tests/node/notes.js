// Engagements: a note associated with a contact, read back with its association, listed.
"use strict";
const { run } = require("./common");

run(async (client, input) => {
  const notes = client.crm.objects.notes;
  const note = await notes.basicApi.create({
    properties: { hs_note_body: "Met at the Royal Society", hs_timestamp: "2026-01-15T10:00:00.000Z" },
    associations: [
      { to: { id: input.contact }, types: [{ associationCategory: "HUBSPOT_DEFINED", associationTypeId: 202 }] },
    ],
  });
  const read = await notes.basicApi.getById(note.id, ["hs_note_body", "hs_timestamp"], undefined, ["contacts"]);
  const page = await notes.basicApi.getPage(10, undefined, ["hs_note_body"]);
  const generic = await client.crm.objects.basicApi.getPage("notes", 10, undefined, ["hs_note_body"]);
  return {
    id: note.id,
    body: read.properties.hs_note_body,
    timestamp: read.properties.hs_timestamp,
    contacts: read.associations.contacts.results.map((a) => a.id),
    listed: page.results.map((n) => n.id),
    generic: generic.results.map((n) => n.id),
  };
});
