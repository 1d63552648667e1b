# Rule: owl:sameAs is mirrored by schema:sameAs.
DELETE DATA { country:italy schema:sameAs <http://www.wikidata.org/entity/Q38> }
