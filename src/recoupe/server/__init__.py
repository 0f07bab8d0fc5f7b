"""The server: the JSON API and the web pages over a store.

`deps` holds what every route depends on (the app state, the token checks, paging); each module of `routes`
serves one resource and imports only `deps` and library modules; `app.create_app` assembles them.
"""
