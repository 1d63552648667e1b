"""The example queries the query page offers (``/static/examples.json``).

Written here, with prefixes and IRIs from :mod:`namespaces` and :mod:`iris`, so that our
base IRI is spelled in one place; ``tests/test_sparql_endpoint.py`` runs each of them.
"""

from __future__ import annotations

from .. import iris
from ..namespaces import sparql_prologue

RECOVERED = iris.mint("confirmation-status", "recovered-from-other-copy")

EXAMPLES: tuple[dict[str, str], ...] = (
    {
        "name": "Cities, countries and continents",
        "query": sparql_prologue("schema", "scg")
        + """SELECT ?city ?name ?country ?continent WHERE {
  ?city a schema:City ; schema:name ?name ;
        schema:containedInPlace/schema:name ?country ;
        scg:continent/schema:name ?continent .
} ORDER BY ?name
""",
    },
    {
        "name": "Quotes with speaker and text fidelity",
        "query": sparql_prologue("schema", "scg", "skos")
        + """SELECT ?speaker ?title ?fidelity ?text WHERE {
  ?quote a schema:Quotation ; schema:text ?text ; schema:spokenByCharacter ?person ;
         scg:textFidelity/skos:prefLabel ?fidelity .
  ?person schema:name ?speaker ; schema:jobTitle ?title .
} ORDER BY ?speaker
""",
    },
    {
        "name": "Cities per country, with Wikidata",
        "query": sparql_prologue("schema", "owl")
        + """SELECT ?country ?wikidata (COUNT(?city) AS ?cities) WHERE {
  ?city a schema:City ; schema:containedInPlace ?c .
  ?c schema:name ?country ; owl:sameAs ?wikidata .
} GROUP BY ?country ?wikidata ORDER BY DESC(?cities) ?country
""",
    },
    {
        "name": "Recovered cities and the reports they rest on",
        "query": sparql_prologue("schema", "scg", "prov")
        + f"""SELECT ?name ?source ?url WHERE {{
  ?commitment scg:committedCity ?city ;
              scg:confirmationStatus <{RECOVERED}> ;
              prov:wasDerivedFrom ?s .
  ?city schema:name ?name .
  ?s schema:name ?source . OPTIONAL {{ ?s schema:url ?url }}
}} ORDER BY ?name ?source
""",
    },
    {
        "name": "Which source backs Medellín's coordinates?",
        "query": sparql_prologue("schema", "geo", "rdf", "prov")
        + """SELECT ?fact ?value ?source WHERE {
  ?city a schema:City ; schema:name "Medellín"@en .
  VALUES ?fact { geo:lat geo:long }
  ?statement rdf:subject ?city ; rdf:predicate ?fact ; rdf:object ?value ;
             prov:wasDerivedFrom/schema:name ?source .
} ORDER BY ?fact
""",
    },
)
