# Rule: owl:sameAs points only to Wikidata.
INSERT DATA { country:italy owl:sameAs <http://dbpedia.org/resource/Italy> ;
                             schema:sameAs <http://dbpedia.org/resource/Italy> }
