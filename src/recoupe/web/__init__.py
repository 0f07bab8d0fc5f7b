"""The web UI: server-rendered pages over the store, escaped Jinja2 templates, static CSS and a little JS."""
