import pytest


@pytest.mark.django_db
def test_healthz_reports_database_and_migrations(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "migrations": "applied"}


@pytest.mark.django_db
def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_healthz_is_503_when_migrations_are_pending(client, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(
        MigrationExecutor,
        "migration_plan",
        lambda self, targets: [
            (type("M", (), {"app_label": "grids", "name": "0099_new"})(), False)
        ],
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["pending_migrations"] == ["grids.0099_new"]


def test_home_page_is_the_web_front(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "/login/" in response.content.decode()


def test_uploaded_files_are_not_served_without_a_scope_check(client, settings, tmp_path):
    settings.DEBUG = True
    target = settings.MEDIA_ROOT / "attachments" / "secret.jpg"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"\xff\xd8\xff")
    assert client.get("/media/attachments/secret.jpg").status_code == 404
