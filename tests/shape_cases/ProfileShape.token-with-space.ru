# Rule: a token is lowercase letters and hyphens (it goes into ?_profile=).
DELETE DATA { profile:schema-org prof:hasToken "schema" }
;
INSERT DATA { profile:schema-org prof:hasToken "schema org" }
