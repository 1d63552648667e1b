# Rule: every quote has a speaker.
DELETE DATA { quote:2020-11-17-roberta-cocco schema:spokenByCharacter person:roberta-cocco }
;
INSERT DATA {
  quote:other schema:spokenByCharacter person:roberta-cocco ; a schema:Quotation, prov:Entity ;
    rdfs:label "Other"@en ; schema:text "Another quote by the same speaker, long enough."@en ;
    schema:datePublished "2020-11-17"^^xsd:date ; schema:isPartOf source:release ;
    scg:textFidelity text-fidelity:verbatim ; prov:wasDerivedFrom source:release .
}
