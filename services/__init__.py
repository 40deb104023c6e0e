"""Fourcast: one weather backend served as REST, GraphQL, gRPC and SOAP."""
