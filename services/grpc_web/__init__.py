"""gRPC-Web for browser pages: Envoy, started beside the gRPC server, translating to it."""
