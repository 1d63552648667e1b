# Rule: a checksum is a sha256.
DELETE WHERE { ?c spdx:algorithm spdx:checksumAlgorithm_sha256 }
;
INSERT DATA { <https://w3id.org/smartcity-graph/id/distribution/graph-ttl#sha256> spdx:algorithm spdx:checksumAlgorithm_md5 }
