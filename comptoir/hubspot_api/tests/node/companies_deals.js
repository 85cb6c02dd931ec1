// Companies and deals: create (a deal in a pipeline stage), read, update, list.
"use strict";
const { run } = require("./common");

run(async (client) => {
  const company = await client.crm.companies.basicApi.create({
    properties: { name: "Analytical Engines", domain: "engines.example.com" },
    associations: [],
  });
  const companyRead = await client.crm.companies.basicApi.getById(company.id, ["name", "domain"]);
  const pipelines = await client.crm.pipelines.pipelinesApi.getAll("deals");
  const pipeline = pipelines.results[0];
  const stage = pipeline.stages[1];
  const deal = await client.crm.deals.basicApi.create({
    properties: { dealname: "Difference engine", amount: "1200", pipeline: pipeline.id, dealstage: stage.id },
    associations: [
      { to: { id: company.id }, types: [{ associationCategory: "HUBSPOT_DEFINED", associationTypeId: 5 }] },
    ],
  });
  const dealUpdated = await client.crm.deals.basicApi.update(deal.id, { properties: { amount: "1500.5" } });
  const dealRead = await client.crm.deals.basicApi.getById(
    deal.id, ["dealname", "amount", "pipeline", "dealstage"], undefined, ["companies"],
  );
  const deals = await client.crm.deals.basicApi.getPage(10, undefined, ["dealname"]);
  const companies = await client.crm.companies.basicApi.getPage(10, undefined, ["name"]);
  return {
    company: { id: company.id, ...companyRead.properties },
    deal: {
      id: deal.id,
      amount: dealUpdated.properties.amount,
      ...dealRead.properties,
      companies: dealRead.associations.companies.results.map((a) => [a.id, a.type]),
    },
    pipeline: pipeline.id,
    stage: stage.id,
    dealIds: deals.results.map((d) => d.id),
    companyIds: companies.results.map((c) => c.id),
  };
});
