// A third-party gRPC-Web client against the served proxy: Connect's gRPC-Web transport for
// Node (@connectrpc/connect-node) with messages built at run time from the web app's
// descriptor set (@bufbuild/protobuf), as the page builds them: no generated code.
//
//   node grpc_web_client.mjs BASE_URL DESCRIPTOR_SET get-station STATION_ID
//   node grpc_web_client.mjs BASE_URL DESCRIPTOR_SET watch-and-put STATION_ID API_KEY TEMPERATURE
//
// Prints one JSON object: {"result": ...} (protobuf JSON), or {"error": {code, message,
// details: [{type, value}]}} for a failed call, the details decoded from
// grpc-status-details-bin with the descriptor set's google.rpc types.
import { readFileSync } from "node:fs";
import { createClient, ConnectError, Code } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-node";
import { createFileRegistry, fromBinary, toJson } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";

const [baseUrl, descriptorSet, command, ...args] = process.argv.slice(2);
const registry = createFileRegistry(
  fromBinary(FileDescriptorSetSchema, readFileSync(descriptorSet)));
const service = registry.getService("fourcast.weather.v1.WeatherService");
const transport = createGrpcWebTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: true });
const client = createClient(service, transport);
const json = (message) => toJson(registry.getMessage(message.$typeName), message, { registry });

async function getStation(stationId) {
  return json(await client.getStation({ name: `stations/${stationId}` }, { timeoutMs: 10000 }));
}

// Opens a watch on the station; once the server has sent the stream's headers (the watch is
// registered: nothing recorded after this is missed), records an observation through
// gRPC-Web with the key, then waits for the watch to deliver it.
async function watchAndPut(stationId, apiKey, temperature) {
  const station = `stations/${stationId}`;
  const abort = new AbortController();
  let opened;
  const open = new Promise((resolve) => { opened = resolve; });
  const events = client.watchObservations(
    { stations: [station] },
    { signal: abort.signal, onHeader: (headers) => opened(headers) })[Symbol.asyncIterator]();
  const first = events.next();  // sends the request
  first.catch(() => {});  // a failure is read below, or ends with the abort
  try {
    // a watch refused at once ends with no message: then its failure is the answer
    const headers = await Promise.race([open, first.then(() => new Headers())]);
    const seconds = BigInt(Math.floor(Date.now() / 1000));
    const put = await client.putObservation(
      { observation: { station, observeTime: { seconds }, temperature: Number(temperature) } },
      { headers: { authorization: `Bearer ${apiKey}` }, timeoutMs: 10000 });
    const event = await first;
    return { watchHeader: headers.get("fourcast-watch"), put: json(put), event: json(event.value) };
  } finally {
    abort.abort();
  }
}

async function main() {
  try {
    if (command === "get-station") return { result: await getStation(args[0]) };
    if (command === "watch-and-put") return { result: await watchAndPut(...args) };
    throw new Error(`unknown command ${command}`);
  } catch (error) {
    if (!(error instanceof ConnectError)) throw error;
    const details = error.findDetails(registry).map((d) => ({ type: d.$typeName, value: json(d) }));
    return { error: { code: Code[error.code], message: error.rawMessage, details } };
  }
}

process.stdout.write(JSON.stringify(await main()) + "\n");
