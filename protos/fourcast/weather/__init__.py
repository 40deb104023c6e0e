"""Generated gRPC/protobuf code of the Fourcast API (see protos/ and scripts/generate_protos.py)."""
