# Rule: an organisation serves a city or a country.
INSERT DATA { organisation:comune-di-milano schema:areaServed person:roberta-cocco }
