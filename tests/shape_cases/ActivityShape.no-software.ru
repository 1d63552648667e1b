# Rule: a build activity names the software that ran it.
DELETE WHERE { activity:build prov:wasAssociatedWith ?a }
