# Rule: a statement names at least one source.
DELETE { ?statement prov:wasDerivedFrom ?source }
WHERE {
  ?statement rdf:subject city:milan ; rdf:predicate geo:lat ; prov:wasDerivedFrom ?source .
}
