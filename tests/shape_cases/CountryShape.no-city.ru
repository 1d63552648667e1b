# Rule: a country in the graph has a pioneer city.
INSERT DATA {
  country:spain a schema:Country ; rdfs:label "Spain"@en ; schema:name "Spain"@en ;
    scg:iso3166Alpha2 "ES" ; scg:iso3166Alpha3 "ESP" ; prov:wasDerivedFrom source:release .
}
