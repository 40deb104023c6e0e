// A WSDL-first client in another language: node-soap builds itself from the served WSDL alone,
// calls GetStation, and reads the declared faults' details. Prints one JSON line per result.
const soap = require('soap');

(async () => {
  const client = await soap.createClientAsync(process.argv[2] + '?wsdl');
  const description = client.describe();
  const service = Object.values(description)[0];
  const operations = Object.keys(Object.values(service)[0]);
  const [station] = await client.GetStationAsync({stationId: 'KJFK'});
  const faults = [];
  for (const stationId of ['ZZZZ', 'zz']) {
    try {
      await client.GetStationAsync({stationId});
    } catch (error) {
      faults.push(error.root.Envelope.Body.Fault);
    }
  }
  console.log(JSON.stringify({operations, name: station.GetStationResult.name, faults}));
})().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
