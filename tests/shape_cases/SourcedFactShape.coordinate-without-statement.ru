# Rule: a coordinate names its own source: the rdf:Statement about Milan's latitude is gone.
DELETE { ?statement ?p ?o }
WHERE { ?statement rdf:subject city:milan ; rdf:predicate geo:lat ; ?p ?o . }
