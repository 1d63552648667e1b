# Rule: every person in the graph is quoted.
INSERT DATA {
  person:nobody a schema:Person ; schema:name "Nobody" ; schema:jobTitle "None"@en ;
    schema:affiliation organisation:alliance ; prov:wasDerivedFrom source:release .
}
