"""Cleaning: from a raw page or text to the article body, its metadata and its language."""
