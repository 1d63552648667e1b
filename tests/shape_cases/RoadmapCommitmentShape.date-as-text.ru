# Rule: the announcement date is an xsd:date.
DELETE DATA { commitment:milan-2020 dcterms:date "2020-11-17"^^xsd:date }
;
INSERT DATA { commitment:milan-2020 dcterms:date "17 November 2020" }
