"""The REST adapter: a Flask application (HAL + problem+json) over the core service.

``create_app(service)`` builds it; ``server.serve(settings)`` runs it on granian. See
``docs/rest.md`` for the design: resources, links, caching, errors and the live feed.
"""

from services.rest_api.app import create_app

__all__ = ["create_app"]
