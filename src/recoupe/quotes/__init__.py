"""Quotes: quotation marks paired, direct, mixed and indirect speech, each attributed to its speaker."""
