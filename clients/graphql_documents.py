"""The GraphQL documents the client sends: one per use case, each asking for the fields the
domain object needs and nothing more. Arguments always travel as variables, so the server's
parser and validation caches see the same few documents."""

from __future__ import annotations

from gql import gql

_STATION = "id name latitude longitude elevation timezone"
_OBSERVATION = ("stationId observedAt temperature dewpoint relativeHumidity windSpeed "
                "windDirection windGust precipitationLastHour seaLevelPressure visibility units")
_ALERT = "id stationId event severity headline description onset ends"
_PAGE_INFO = "pageInfo { startCursor endCursor }"

LIST_STATIONS = gql(f"""
query ListStations($first: Int, $after: String) {{
  stations(first: $first, after: $after) {{ edges {{ node {{ {_STATION} }} }} {_PAGE_INFO} }}
}}""")
GET_STATION = gql(f"query GetStation($id: String!) {{ station(id: $id) {{ {_STATION} }} }}")
PUT_STATION = gql(f"""
mutation PutStation($station: StationInput!, $ifMatch: String) {{
  putStation(station: $station, ifMatch: $ifMatch) {{ station {{ {_STATION} }} created version }}
}}""")
DELETE_STATION = gql("""
mutation DeleteStation($id: String!, $ifMatch: String) {
  deleteStation(id: $id, ifMatch: $ifMatch) { id }
}""")

LATEST_OBSERVATION = gql(f"""
query LatestObservation($stationId: String!, $units: UnitSystem!) {{
  latestObservation(stationId: $stationId, units: $units) {{ {_OBSERVATION} }}
}}""")
GET_OBSERVATION = gql(f"""
query GetObservation($stationId: String!, $observedAt: DateTime!, $units: UnitSystem!) {{
  observation(stationId: $stationId, observedAt: $observedAt, units: $units) {{
    {_OBSERVATION} }}
}}""")
LIST_OBSERVATIONS = gql(f"""
query ListObservations($stationId: String!, $start: DateTime, $end: DateTime, $first: Int,
                       $after: String, $units: UnitSystem!) {{
  station(id: $stationId) {{
    observations(start: $start, end: $end, first: $first, after: $after, units: $units) {{
      edges {{ node {{ {_OBSERVATION} }} }} {_PAGE_INFO} }}
  }}
}}""")
PUT_OBSERVATION = gql(f"""
mutation PutObservation($observation: ObservationInput!, $ifMatch: String) {{
  putObservation(observation: $observation, ifMatch: $ifMatch) {{
    observation {{ {_OBSERVATION} }} created version }}
}}""")
IMPORT_OBSERVATIONS = gql("""
mutation ImportObservations($observations: [ObservationInput!]!) {
  importObservations(observations: $observations) {
    imported created replaced stationIds firstObservedAt lastObservedAt }
}""")
DELETE_OBSERVATION = gql("""
mutation DeleteObservation($stationId: String!, $observedAt: DateTime!, $ifMatch: String) {
  deleteObservation(stationId: $stationId, observedAt: $observedAt, ifMatch: $ifMatch) { id }
}""")

DAILY_SUMMARIES = gql("""
query DailySummaries($stationId: String!, $start: Date, $end: Date, $units: UnitSystem!) {
  station(id: $stationId) {
    daily(start: $start, end: $end, units: $units) {
      stationId date temperatureMin temperatureMax temperatureMean precipitationTotal
      windGustMax observationCount units }
  }
}""")
FORECAST = gql("""
query Forecast($stationId: String!, $days: Int, $units: UnitSystem!) {
  station(id: $stationId) {
    forecast(days: $days, units: $units) {
      stationId issuedAt units
      periods { number name start end temperatureHigh temperatureLow precipitationChance
                windSpeed windDirection summary } }
  }
}""")
LIST_ALERTS = gql(f"""
query ListAlerts($stationId: String, $start: DateTime, $end: DateTime, $first: Int,
                 $after: String) {{
  alerts(stationId: $stationId, start: $start, end: $end, first: $first, after: $after) {{
    edges {{ node {{ {_ALERT} }} }} {_PAGE_INFO} }}
}}""")
GET_ALERT = gql(f"query GetAlert($id: String!) {{ alert(id: $id) {{ {_ALERT} }} }}")

# The watch's first step: the sequence to subscribe after, and (with an afterSequence no write
# can reach, so it reads nothing) the core's checks of the station ids and units, so a bad
# watch fails when it is opened rather than on its first `next`.
WATCH_START = gql("""
query WatchStart($stationIds: [String!]!, $units: UnitSystem!) {
  changeSequence
  check: observationsSince(afterSequence: 2147483647, stationIds: $stationIds, units: $units,
                           first: 1) { sequence }
}""")
OBSERVATION_RECORDED = gql(f"""
subscription ObservationRecorded($stationIds: [String!]!, $units: UnitSystem!,
                                 $afterSequence: Int) {{
  observationRecorded(stationIds: $stationIds, units: $units, afterSequence: $afterSequence) {{
    sequence observation {{ {_OBSERVATION} }} }}
}}""")
OBSERVATIONS_SINCE = gql(f"""
query ObservationsSince($afterSequence: Int!, $stationIds: [String!], $units: UnitSystem!) {{
  observationsSince(afterSequence: $afterSequence, stationIds: $stationIds, units: $units) {{
    sequence observation {{ {_OBSERVATION} }} }}
}}""")
