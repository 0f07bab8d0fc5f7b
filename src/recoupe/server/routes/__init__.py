"""One router per resource; each imports only `recoupe.server.deps` and library modules, never another router."""
