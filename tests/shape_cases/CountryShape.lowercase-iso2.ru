# Rule: ISO alpha-2 is two capital letters.
DELETE DATA { country:italy scg:iso3166Alpha2 "IT" }
;
INSERT DATA { country:italy scg:iso3166Alpha2 "it" }
