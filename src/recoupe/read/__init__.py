"""Reading: the language's spaCy model over cleaned articles, in process or on worker processes."""
