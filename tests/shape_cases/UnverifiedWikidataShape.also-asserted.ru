# Rule: an unverified candidate is never asserted as sameAs.
INSERT DATA { city:milan owl:sameAs <http://www.wikidata.org/entity/Q490> ;
                          schema:sameAs <http://www.wikidata.org/entity/Q490> ;
                          scg:wikidataLinkSource source:release }
