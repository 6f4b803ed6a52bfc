from django.test import Client


def test_the_schema_and_the_swagger_page_open_without_login_and_serve_no_cdn(db: None) -> None:
    client = Client()
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/executions/" in paths
    assert "/api/v1/executions/{id}/cancel/" in paths

    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert "cdn.jsdelivr.net" not in docs.content.decode()


def test_the_data_still_needs_a_login(db: None) -> None:
    assert Client().get("/api/v1/executions/").status_code == 401
    assert Client().get("/api/auth/login/").status_code == 200


def _operations(client: Client) -> tuple[list[tuple[str, str, dict]], dict]:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    return [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ], schema


def test_every_operation_documents_the_errors_it_can_answer(db: None) -> None:
    operations, _schema = _operations(Client())
    missing = []
    for path, method, operation in operations:
        codes = set(operation["responses"])
        # drf-spectacular leaves `security` out of an operation open to anonymous callers (`auth=[]`).
        public = not operation.get("security") or {} in operation["security"]
        wanted = set() if public else {"401", "403"}
        if "{" in path:
            wanted.add("404")
        if method in {"post", "put", "patch"} and operation.get("requestBody"):
            wanted.add("400")
        missing += [f"{method.upper()} {path}: {code}" for code in sorted(wanted - codes)]
    assert missing == []


def test_a_field_that_can_be_null_is_declared_nullable(db: None) -> None:
    _unused, schema = _operations(Client())
    updated_at = schema["components"]["schemas"]["MovideskSettings"]["properties"]["updated_at"]
    assert updated_at.get("nullable") is True
