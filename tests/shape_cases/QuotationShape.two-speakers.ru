# Rule: every quote has exactly one speaker.
INSERT DATA {
  quote:2020-11-17-roberta-cocco schema:spokenByCharacter person:other .
  person:other a schema:Person ; schema:name "Other" ; schema:jobTitle "Other"@en ;
    schema:affiliation organisation:alliance ; prov:wasDerivedFrom source:release .
}
