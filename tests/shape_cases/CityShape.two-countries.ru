# Rule: a city lies in exactly one country.
INSERT DATA {
  city:milan schema:containedInPlace country:spain .
  country:spain a schema:Country ; rdfs:label "Spain"@en ; schema:name "Spain"@en ;
    scg:iso3166Alpha2 "ES" ; scg:iso3166Alpha3 "ESP" ; prov:wasDerivedFrom source:release .
}
