"""The gRPC adapter: fourcast.weather.v1.WeatherService over grpc.aio (see server.py).

grpc core logs a line for every malformed HTTP/2 request it refuses on its own (an OPTIONS
request, say: "Error parsing ':method' metadata"), which any client can cause, so the server's
log would fill with other people's mistakes. Its log is off unless ``GRPC_VERBOSITY`` asks for
it; grpc reads the variable once, when first imported, hence here, before any module of this
package imports grpc. The server's own errors are logged by Python (``errors.py``).
"""

import os

os.environ.setdefault("GRPC_VERBOSITY", "NONE")
