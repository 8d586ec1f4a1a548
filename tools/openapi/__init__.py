"""The OpenAPI document of the REST edge (document.py, errors.py) and the client generators its tests use.

pom.xml pins openapi-generator's CLI (Maven Central), package.json / package-lock.json pin TypeScript (npm);
`make setup` puts both under .tools/openapi/.
"""
