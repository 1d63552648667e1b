# Rule: a person speaks for exactly one organisation.
INSERT DATA { person:roberta-cocco schema:affiliation organisation:alliance }
