// What the web app's page takes from third-party libraries: bundled by build.mjs into ONE
// ES module, services/web/static/vendor/vendor.js, which the page imports by a relative path.
// Names are exported as the page uses them (two libraries call their factory createClient).

// gRPC-Web (the gRPC panel): Connect's client over its gRPC-Web transport (fetch)
export { createClient as createConnectClient, ConnectError, Code } from "@connectrpc/connect";
export { createGrpcWebTransport } from "@connectrpc/connect-web";
// Protobuf-ES v2: messages described at run time from a FileDescriptorSet (no code generation)
export {
  create, createFileRegistry, fromBinary, fromJson, toBinary, toJson, toJsonString,
} from "@bufbuild/protobuf";
export { FileDescriptorSetSchema, timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
// GraphQL subscriptions over graphql-transport-ws
export { createClient as createGraphQLWsClient } from "graphql-ws/client";
// the chart
export { default as uPlot } from "uplot";
