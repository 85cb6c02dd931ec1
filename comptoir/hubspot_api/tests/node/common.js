// What every scenario shares: the official SDK pointed at Comptoir by `basePath` (nothing
// else changed), and a log of each request the SDK sends with the status it got back.
// A scenario exports nothing; it calls run(async (client, input) => result) and the Python
// test reads one JSON object on stdout: {result, error, calls}.
"use strict";
const hubspot = require("@hubspot/api-client");
const transport = require("@hubspot/api-client/lib/src/services/http/Transport");

const calls = [];
const send = transport.sendBufferedRequest;
// Every request of the SDK (JSON through fetch, multipart through node's http) goes here.
transport.sendBufferedRequest = async (url, options) => {
  const target = new URL(url);
  const entry = { method: options.method, path: target.pathname + target.search, status: null };
  calls.push(entry);
  const response = await send(url, options);
  entry.status = response.status;
  return response;
};

function client(token = process.env.COMPTOIR_TOKEN) {
  return new hubspot.Client({
    accessToken: token,
    basePath: process.env.COMPTOIR_URL,
    numberOfApiCallRetries: 0,
  });
}

function failure(exc) {
  let body = exc.body;
  if (typeof body === "string") {
    try {
      body = JSON.parse(body);
    } catch {
      // not JSON: kept as text
    }
  }
  return { code: exc.code ?? null, message: String(exc.message).slice(0, 500), body: body ?? null };
}

// Runs one scenario; an exception the scenario does not catch is reported, not thrown.
async function run(scenario) {
  const input = JSON.parse(process.env.SCENARIO_INPUT || "{}");
  let result = null;
  let error = null;
  try {
    result = await scenario(client(), input);
  } catch (exc) {
    error = failure(exc);
  }
  process.stdout.write(JSON.stringify({ result, error, calls }));
}

// Awaits `promise` and returns {code, body} of the SDK error it fails with (null when it succeeds).
async function expectError(promise) {
  try {
    await promise;
  } catch (exc) {
    return failure(exc);
  }
  return null;
}

module.exports = { run, client, expectError, hubspot };
