// Runs graphql-http's GraphQL-over-HTTP server audits against a served endpoint and prints
// one JSON array of {id, name, status, reason} on stdout.
// Usage: node audit_server.mjs <graphql-http package folder> <url>
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [packageDir, url] = process.argv.slice(2);
const { serverAudits } = await import(pathToFileURL(join(packageDir, 'lib', 'index.mjs')).href);

const results = [];
for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  results.push({ id: result.id, name: result.name, status: result.status,
                 reason: result.status === 'ok' ? null : result.reason });
}
process.stdout.write(JSON.stringify(results));
