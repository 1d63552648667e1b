# Rule: latitude is an xsd:decimal, not a string.
DELETE DATA { city:milan geo:lat "45.46427"^^xsd:decimal }
;
INSERT DATA { city:milan geo:lat "45.46427" }
