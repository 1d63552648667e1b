# Rule: a statement is about a triple the graph asserts (here: a latitude Milan does not have).
INSERT DATA {
  statement:city-milan-lat-not-asserted a rdf:Statement ;
      rdf:subject city:milan ; rdf:predicate geo:lat ; rdf:object "45.0"^^xsd:decimal ;
      prov:wasDerivedFrom source:release .
}
