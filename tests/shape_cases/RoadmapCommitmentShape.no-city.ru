# Rule: a commitment is made by a city.
DELETE DATA { commitment:milan-2020 scg:committedCity city:milan }
;
INSERT DATA {
  commitment:other a scg:RoadmapCommitment, prov:Entity ; rdfs:label "Other"@en ;
    scg:committedCity city:milan ; scg:roadmap roadmap:roadmap ;
    scg:policyArea policy-area:privacy-protection ; dcterms:date "2020-11-17"^^xsd:date ;
    scg:confirmationStatus confirmation-status:listed-in-seed ; prov:wasDerivedFrom source:release .
}
