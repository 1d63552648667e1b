# Rule: a Wikidata link says where the QID was seen.
DELETE DATA { country:italy scg:wikidataLinkSource source:release }
