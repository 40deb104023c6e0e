"""Generated gRPC/protobuf code of the bench API (see protos/ and scripts/generate_protos.py)."""
