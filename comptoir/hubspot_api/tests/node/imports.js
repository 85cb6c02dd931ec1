// Imports: a CSV of contacts uploaded through the SDK (multipart, chunked), polled until
// done, then its errors.
"use strict";
const { run } = require("./common");

run(async (client) => {
  const csv = [
    "Email,First Name,Last Name",
    "charles@example.com,Charles,Babbage",
    "mary@example.com,Mary,Somerville",
    "not-an-email,Bad,Row",
  ].join("\n");
  const importRequest = {
    name: "Node SDK import",
    files: [
      {
        fileName: "people.csv",
        fileFormat: "CSV",
        fileImportPage: {
          hasHeader: true,
          columnMappings: [
            { columnName: "Email", propertyName: "email", columnObjectTypeId: "0-1", idColumnType: "HUBSPOT_ALTERNATE_ID" },
            { columnName: "First Name", propertyName: "firstname", columnObjectTypeId: "0-1" },
            { columnName: "Last Name", propertyName: "lastname", columnObjectTypeId: "0-1" },
          ],
        },
      },
    ],
  };
  const started = await client.crm.imports.coreApi.create(
    { data: Buffer.from(csv), name: "people.csv" },
    JSON.stringify(importRequest),
  );
  let state = started.state;
  let done = started;
  for (let i = 0; i < 600 && !["DONE", "FAILED", "CANCELED"].includes(state); i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    done = await client.crm.imports.coreApi.getById(Number(started.id));
    state = done.state;
  }
  const errors = await client.crm.imports.publicImportsApi.getErrors(Number(started.id), undefined, 100, true, true);
  return {
    id: started.id,
    startedState: started.state,
    state,
    counts: done.metadata && done.metadata.counters,
    errors: errors.results.map((e) => [e.errorType, e.sourceData && e.sourceData.lineNumber]),
  };
});
