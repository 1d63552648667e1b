# Rule: every fact has a source.
DELETE DATA { city:milan prov:wasDerivedFrom source:release }
