"""Stories and events: dates, near-copies and incremental clustering."""
