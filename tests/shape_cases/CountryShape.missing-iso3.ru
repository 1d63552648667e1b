# Rule: a country has an ISO alpha-3 code.
DELETE DATA { country:italy scg:iso3166Alpha3 "ITA" }
