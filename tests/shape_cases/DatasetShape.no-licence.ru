# Rule: the dataset states its licence.
DELETE DATA { dataset:smartcity-graph dcterms:license <https://creativecommons.org/licenses/by/4.0/> }
