# Rule: latitude lies in [-90, 90].
DELETE DATA { city:milan geo:lat "45.46427"^^xsd:decimal }
;
INSERT DATA { city:milan geo:lat "95.5"^^xsd:decimal }
