# Rule: a place has a source.
DELETE DATA { place:geneva prov:wasDerivedFrom source:release }
