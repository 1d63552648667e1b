# Rule: a sha256 value is 64 lowercase hex digits.
DELETE WHERE { ?c spdx:checksumValue ?v }
;
INSERT DATA { <https://w3id.org/smartcity-graph/id/distribution/graph-ttl#sha256> spdx:checksumValue "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"^^xsd:hexBinary }
