"""A Schemathesis + Hypothesis suite that checks any base URL against `openapi.yaml`."""
