# Rule: an event's start date is an xsd:date.
DELETE DATA { event:launch schema:startDate "2020-11-17"^^xsd:date }
;
INSERT DATA { event:launch schema:startDate "2020-11-17T10:00:00"^^xsd:dateTime }
