"""fourcast.bench.v1: generated from bench.proto by scripts/generate_protos.py."""
