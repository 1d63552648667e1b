# Rule: a profile has exactly one token.
INSERT DATA { profile:schema-org prof:hasToken "schema-org" }
