"""The GraphQL adapter (Strawberry): one endpoint, a typed schema, subscriptions, stable codes.

- :mod:`.types` — one Strawberry type per module, each built from a domain object by
  ``from_domain``;
- :mod:`.context` — the per-request context: the service, the caller's credential, and the
  DataLoaders that batch store reads (built fresh for every request);
- :mod:`.errors` — the one place core errors become GraphQL errors (``extensions.code``);
- :mod:`.schema` — Query, Mutation, Subscription and the schema's limits and caches;
  :mod:`.limits` (depth, aliases) and :mod:`.cost` (the estimate before execution) measure
  each fragment once, in time linear in the document;
- :mod:`.subscription` — the live feed, within a budget per server, client and websocket;
- :mod:`.app` — the GraphQL view, whose answers' media type :mod:`.media` negotiates;
  :mod:`.routes` — ``create_app(service)``, the ASGI application: the view, GraphiQL's files
  (:mod:`.graphiql`, no CDN) and the bench endpoints, behind CORS (:mod:`.cors`);
  :mod:`.server` — the production server behind ``fourcast serve graphql``.
"""

from services.graphql_api.routes import create_app

__all__ = ["create_app"]
