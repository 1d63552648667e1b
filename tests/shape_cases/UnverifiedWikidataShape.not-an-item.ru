# Rule: a candidate is a Wikidata item IRI.
DELETE DATA { city:milan scg:unverifiedWikidataCandidate <http://www.wikidata.org/entity/Q490> }
;
INSERT DATA { city:milan scg:unverifiedWikidataCandidate <https://www.wikidata.org/wiki/Q490> }
