# Rule: an event has a start date.
DELETE DATA { event:launch schema:startDate "2020-11-17"^^xsd:date }
