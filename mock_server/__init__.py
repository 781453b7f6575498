"""A mock of the Sivi Enterprise Account Analysis API, served from `openapi.yaml` and `fixtures/`."""
