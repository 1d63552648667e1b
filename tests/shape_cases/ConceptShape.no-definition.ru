# Rule: a concept has a definition.
DELETE DATA { policy-area:privacy-protection skos:definition "Policies that protect privacy."@en }
