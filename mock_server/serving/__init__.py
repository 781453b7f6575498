"""Serving an app: uvicorn's protocol as the kit tunes it (`protocol`: a deadline for half-sent requests, one write
per answer) and a server on a background thread (`background`: the pytest fixture, in-process runs)."""
