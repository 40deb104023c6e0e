"""fourcast.weather.v1: generated from weather.proto by scripts/generate_protos.py."""
