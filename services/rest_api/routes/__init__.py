"""One blueprint per resource family; each declares its operations through ``api``."""

from services.rest_api.routes import alerts, derived, live, meta, observations, stations

RESOURCES = (meta.api, stations.api, observations.api, derived.api, alerts.api, live.api)
