"""`make bench`: the mock against a bare-Starlette baseline (and Prism), loaded side by side with `wrk`."""
