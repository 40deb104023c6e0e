"""The gRPC adapter: fourcast.weather.v1.WeatherService over grpc.aio (see server.py)."""
