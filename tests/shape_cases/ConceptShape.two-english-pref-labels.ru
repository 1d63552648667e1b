# Rule: one prefLabel per language.
INSERT DATA { policy-area:privacy-protection skos:prefLabel "Data privacy"@en }
