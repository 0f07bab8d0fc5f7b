"""Facts: statements and figures read from articles, grouped across outlets."""
