# Rule: a part of the dataset has at least one distribution of its own.
INSERT DATA {
  dataset:smartcity-graph void:subset dataset:city-milan .
  dataset:city-milan a dcat:Dataset ; rdfs:label "Milan"@en ;
      dcterms:isPartOf dataset:smartcity-graph .
}
