# Rule: policy areas come from the policy-areas scheme.
DELETE DATA { commitment:milan-2020 scg:policyArea policy-area:privacy-protection }
;
INSERT DATA {
  commitment:milan-2020 scg:policyArea text-fidelity:verbatim .
  text-fidelity:verbatim a skos:Concept ; rdfs:label "Verbatim"@en ; skos:prefLabel "Verbatim"@en ;
    skos:definition "As written."@en ; skos:inScheme concept-scheme:policy-areas-elsewhere .
  concept-scheme:policy-areas-elsewhere a skos:ConceptScheme ; rdfs:label "Other"@en ;
    skos:prefLabel "Other"@en ; skos:hasTopConcept text-fidelity:verbatim ;
    prov:wasDerivedFrom source:release .
}
