"""Benchmark: the cost of a sign-in, by password hasher, in the same run.

    .venv/bin/python bench/login.py              # hashers, then sign-ins through the login page
    .venv/bin/python bench/login.py --repeat 5 --no-requests

1. Each candidate hashes and verifies the same password `--repeat` times (median, and the
   memory each asks for):
   - configured: settings.PASSWORD_HASHERS[0] (civicgrid.core.hashers: Argon2id, OWASP's
     19 MiB, t=2, p=1);
   - pbkdf2: Django's default, PBKDF2-SHA256 with 1,000,000 iterations (what the demo used);
   - pbkdf2-owasp: PBKDF2-SHA256 at OWASP's 600,000;
   - scrypt: Django's ScryptPasswordHasher (stdlib hashlib.scrypt, N=2^14, r=8, p=1: 16 MiB);
   - argon2-django: Django's Argon2PasswordHasher (argon2-cffi; 100 MiB, t=2, p=8).
2. Unless --no-requests: a temporary SQLite database is migrated and, for each candidate, a user
   whose stored hash is of that kind signs in through POST /login/ (the page's form, the
   throttle, the session) `--repeat` times; the hash is put back before each sign-in, so a
   sign-in with an old hash includes its rewriting with the configured hasher.

The last lines are `<name>_vs_configured=<ratio>` for verifying (what a sign-in costs).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")

PASSWORD = "Correct-Horse-9-Battery"


def candidates():
    from django.conf import settings
    from django.contrib.auth.hashers import (
        Argon2PasswordHasher,
        PBKDF2PasswordHasher,
        ScryptPasswordHasher,
        get_hasher,
    )

    class Pbkdf2Owasp(PBKDF2PasswordHasher):
        iterations = 600_000

    configured = get_hasher("default")
    return [
        ("configured", configured, _memory(configured)),
        ("pbkdf2", PBKDF2PasswordHasher(), "—"),
        ("pbkdf2-owasp", Pbkdf2Owasp(), "—"),
        ("scrypt", ScryptPasswordHasher(), "16 MiB"),
        ("argon2-django", Argon2PasswordHasher(), "100 MiB"),
    ], settings.PASSWORD_HASHERS[0]


def _memory(hasher) -> str:
    cost = getattr(hasher, "memory_cost", None)
    return f"{cost // 1024} MiB" if cost else "—"


def time_hashers(repeat: int):
    rows, configured_path = candidates()
    print(f"configured hasher: {configured_path}")
    print(f"{'hasher':<15} {'memory':>8} {'hash ms':>9} {'verify ms':>10}")
    results = {}
    for name, hasher, memory in rows:
        encode, verify = [], []
        for _ in range(repeat):
            t = time.perf_counter()
            encoded = hasher.encode(PASSWORD, hasher.salt())
            encode.append(time.perf_counter() - t)
            t = time.perf_counter()
            assert hasher.verify(PASSWORD, encoded)
            verify.append(time.perf_counter() - t)
        results[name] = (hasher, statistics.median(encode), statistics.median(verify))
        print(
            f"{name:<15} {memory:>8} {results[name][1] * 1000:>9.1f} "
            f"{results[name][2] * 1000:>10.1f}"
        )
    return results


def time_sign_ins(results, repeat: int):
    """Median wall time of POST /login/ for a user whose stored hash is of each kind."""
    import django
    from django.conf import settings

    tmp = tempfile.mkdtemp(prefix="civicgrid-bench-login-")
    settings.DATABASES["default"] = {
        **settings.DATABASES["default"],
        "NAME": str(Path(tmp) / "bench.sqlite3"),
    }
    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from civicgrid.accounts.choices import Role
    from civicgrid.accounts.models import User

    print(f"migrating a temporary database in {tmp} …", flush=True)
    call_command("migrate", verbosity=0, interactive=False)
    url = reverse("web:login")
    print(f"{'stored hash':<15} {'sign-in ms':>11}")
    out = {}
    for name, (hasher, _e, _v) in results.items():
        encoded = hasher.encode(PASSWORD, hasher.salt())
        user = User.objects.create(username=f"bench-{name}", role=Role.OPERATOR, password=encoded)
        times = []
        for _ in range(repeat):
            User.objects.filter(pk=user.pk).update(password=encoded)
            cache.clear()
            client = Client()
            client.get(url)
            t = time.perf_counter()
            response = client.post(url, {"username": user.username, "password": PASSWORD})
            times.append(time.perf_counter() - t)
            assert response.status_code == 302, (name, response.status_code)
        out[name] = statistics.median(times)
        print(f"{name:<15} {out[name] * 1000:>11.1f}")
    user = User.objects.get(username="bench-pbkdf2")
    print(f"a PBKDF2 hash after its owner's sign-in: {user.password.split('$', 1)[0]}")
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-requests", action="store_true", help="hashers only")
    args = parser.parse_args()
    import logging

    import django

    django.setup()
    logging.getLogger("civicgrid.security").setLevel(logging.WARNING)  # one line per sign-in
    results = time_hashers(args.repeat)
    base = results["configured"][2]
    if not args.no_requests:
        sign_ins = time_sign_ins(results, args.repeat)
        for name, seconds in sign_ins.items():
            if name != "configured":
                print(
                    f"sign_in_{name.replace('-', '_')}_vs_configured={seconds / sign_ins['configured']:.2f}"
                )
    for name, (_h, _e, verify) in results.items():
        if name != "configured":
            print(f"{name.replace('-', '_')}_vs_configured={verify / base:.2f}")


if __name__ == "__main__":
    main()
