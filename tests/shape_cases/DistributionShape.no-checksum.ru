# Rule: a distribution has a checksum.
DELETE WHERE { distribution:graph-ttl spdx:checksum ?c }
