# Rule: a homepage is an http(s) IRI.
INSERT DATA { organisation:comune-di-milano schema:url <ftp://comune.milano.it/> }
