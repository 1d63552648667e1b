# Rule: owl:sameAs points to an item (Q...), not a property.
DELETE DATA { country:italy owl:sameAs <http://www.wikidata.org/entity/Q38> ;
                             schema:sameAs <http://www.wikidata.org/entity/Q38> }
;
INSERT DATA { country:italy owl:sameAs <http://www.wikidata.org/entity/P38> ;
                             schema:sameAs <http://www.wikidata.org/entity/P38> }
