"""Briefs: one consolidated, source-attributed summary per story, and its renderings."""
