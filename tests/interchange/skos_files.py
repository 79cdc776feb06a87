"""The glossary's SKOS files as a reader downloads them, parsed back into a graph."""

from django.urls import reverse
from rdflib import Graph, URIRef

SITE = "http://127.0.0.1:8000/"
FORMATS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld"}


def download(client, file_format, **query) -> Graph:
    response = client.get(reverse(f"glossary:glossary_{file_format}"), query)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{file_format}"')
    return Graph().parse(data=response.content.decode(), format=FORMATS[file_format])


def concept(slug) -> URIRef:
    return URIRef(f"http://127.0.0.1:8000/terms/{slug}/")


SITE = "http://127.0.0.1:8000/"
