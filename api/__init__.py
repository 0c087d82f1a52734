"""The HTTP API: routes, authentication, request and response schemas; talks to Temporal and the DB."""
