# Rule: a scheme has top concepts.
DELETE DATA { concept-scheme:policy-areas skos:hasTopConcept policy-area:privacy-protection }
