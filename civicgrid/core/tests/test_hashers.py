"""Passwords are stored with Argon2id at OWASP's parameters; older hashes still sign in and are
rewritten with it (the test kit hashes with MD5 for speed: these tests use the project's list)."""

import pytest
from django.contrib.auth.hashers import identify_hasher, make_password
from django.test import Client

from civicgrid import settings as project_settings
from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import User
from civicgrid.core.hashers import OwaspArgon2PasswordHasher

pytestmark = pytest.mark.django_db
PASSWORD = "Correct-Horse-9-Battery"


@pytest.fixture
def real_hashers(settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    return settings.PASSWORD_HASHERS


def test_the_first_hasher_is_argon2id_at_owasp_parameters(real_hashers):
    encoded = make_password(PASSWORD)
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert isinstance(identify_hasher(encoded), OwaspArgon2PasswordHasher)
    # Every hasher a stored password may come from is still known.
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in real_hashers


@pytest.mark.parametrize(
    "algorithm", ["pbkdf2_sha256", "argon2", "scrypt"], ids=["pbkdf2", "argon2-django", "scrypt"]
)
def test_an_older_hash_signs_in_and_is_rewritten(real_hashers, algorithm, settings):
    if algorithm == "argon2":
        from django.contrib.auth.hashers import Argon2PasswordHasher

        old = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    else:
        old = make_password(PASSWORD, hasher=algorithm)
    user = User.objects.create(username="old-hash", role=Role.OPERATOR, password=old)
    client = Client()
    response = client.post("/login/", {"username": "old-hash", "password": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_wrong_password_is_refused_and_the_hash_kept(real_hashers):
    old = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user = User.objects.create(username="old-hash", role=Role.OPERATOR, password=old)
    response = Client().post("/login/", {"username": "old-hash", "password": "wrong-password"})
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password == old


def test_a_current_hash_is_not_rewritten_at_each_sign_in(real_hashers):
    current = make_password(PASSWORD)
    user = User.objects.create(username="new-hash", role=Role.OPERATOR, password=current)
    assert (
        Client().post("/login/", {"username": "new-hash", "password": PASSWORD}).status_code == 302
    )
    user.refresh_from_db()
    assert user.password == current
