# Rule: one label per language.
INSERT DATA { place:geneva rdfs:label "Genf"@en }
