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
