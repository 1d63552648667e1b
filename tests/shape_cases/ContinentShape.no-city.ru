# Rule: a continent in the graph has a pioneer city.
INSERT DATA {
  continent:asia a schema:Continent ; rdfs:label "Asia"@en ; schema:name "Asia"@en ;
    prov:wasDerivedFrom source:release .
}
