// Pipelines (deals) and owners: what a connector reads to label stages and owners.
"use strict";
const { run } = require("./common");

run(async (client) => {
  const pipelines = await client.crm.pipelines.pipelinesApi.getAll("deals");
  const first = pipelines.results[0];
  const one = await client.crm.pipelines.pipelinesApi.getById("deals", first.id);
  const stages = await client.crm.pipelines.pipelineStagesApi.getAll("deals", first.id);
  const owners = await client.crm.owners.ownersApi.getPage();
  const owner = await client.crm.owners.ownersApi.getById(Number(owners.results[0].id));
  return {
    pipelines: pipelines.results.map((p) => [p.id, p.label, p.stages.map((s) => s.id)]),
    one: [one.id, one.label],
    stages: stages.results.map((s) => [s.id, s.label, s.metadata.probability]),
    owners: owners.results.map((o) => [o.id, o.email, o.firstName, o.lastName]),
    owner: [owner.id, owner.email],
  };
});
