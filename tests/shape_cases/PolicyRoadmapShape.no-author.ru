# Rule: a roadmap has an author.
DELETE DATA { roadmap:roadmap schema:author organisation:alliance }
