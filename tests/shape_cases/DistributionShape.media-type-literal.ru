# Rule: a distribution's media type is an IANA IRI.
DELETE DATA { distribution:graph-ttl dcat:mediaType <https://www.iana.org/assignments/media-types/text/turtle> }
;
INSERT DATA { distribution:graph-ttl dcat:mediaType <http://example.org/turtle> }
