"""People and organisations: name variants, entity resolution across the store, and who is speaking."""
