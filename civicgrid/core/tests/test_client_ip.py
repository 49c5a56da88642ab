"""Client addresses behind a reverse proxy (core/ratelimit.client_ip): X-Forwarded-For is read only
when REMOTE_ADDR is a trusted proxy (CIVICGRID_TRUSTED_PROXIES), and then the right-most address in
it that is not a trusted proxy is the client. The intake limit and the login throttles count by it.
"""

import pytest
from django.core.cache import cache
from django.test import Client

from civicgrid.cases.models import Case
from civicgrid.core.ratelimit import client_ip
from civicgrid.open311.models import ApiClient
from civicgrid.testing.world import IN_MICRO

NGINX = "10.9.0.1"


@pytest.fixture
def behind_nginx(settings):
    settings.CIVICGRID_TRUSTED_PROXIES = ["10.9.0.0/16", "fd00:9::/32"]
    settings.CIVICGRID_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"


def _ip(rf, remote, forwarded=None, header="HTTP_X_FORWARDED_FOR"):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta[header] = forwarded
    return client_ip(rf.get("/", **meta))


def test_without_trusted_proxies_the_header_is_ignored(rf, settings):
    settings.CIVICGRID_TRUSTED_PROXIES = []
    assert _ip(rf, NGINX, "198.51.100.7") == NGINX
    assert _ip(rf, "", "198.51.100.7") == "unknown"


def test_a_spoofed_header_from_an_untrusted_peer_is_ignored(rf, behind_nginx):
    assert _ip(rf, "203.0.113.5", "198.51.100.7") == "203.0.113.5"
    # Even when the forged header names a trusted proxy.
    assert _ip(rf, "203.0.113.5", "198.51.100.7, 10.9.0.2") == "203.0.113.5"


def test_behind_a_trusted_proxy_the_right_most_untrusted_address_is_the_client(rf, behind_nginx):
    assert _ip(rf, NGINX, "198.51.100.7") == "198.51.100.7"
    # What the client wrote itself stands left of what nginx appended, and is ignored.
    assert _ip(rf, NGINX, "6.6.6.6, 198.51.100.7") == "198.51.100.7"
    # Two proxies of ours (a load balancer in front of nginx): skip both.
    assert _ip(rf, NGINX, "6.6.6.6, 198.51.100.7, 10.9.3.3") == "198.51.100.7"
    # IPv6 proxies and clients; spaces and an IPv4-mapped peer are normalised.
    assert _ip(rf, "fd00:9::1", " 2001:db8::7 ") == "2001:db8::7"
    assert _ip(rf, "::ffff:10.9.0.1", "198.51.100.7") == "198.51.100.7"
    # No header, or only our own proxies in it: the last trusted address seen.
    assert _ip(rf, NGINX) == NGINX
    assert _ip(rf, NGINX, "10.9.3.3") == "10.9.3.3"


def test_a_garbled_hop_ends_the_walk(rf, behind_nginx):
    assert _ip(rf, NGINX, "198.51.100.7, not-an-address") == NGINX
    assert _ip(rf, NGINX, "not-an-address, 10.9.3.3") == "10.9.3.3"
    assert _ip(rf, NGINX, "unknown, 198.51.100.7") == "198.51.100.7"


def test_the_header_is_configurable(rf, behind_nginx, settings):
    settings.CIVICGRID_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    assert _ip(rf, NGINX, "198.51.100.9", header="HTTP_X_REAL_IP") == "198.51.100.9"
    # The other header is not read any more.
    assert _ip(rf, NGINX, "198.51.100.7") == NGINX


# --- through the intake limit (Open311 POST requests.json: counted per address) ---------------

LIMIT = 3


@pytest.fixture
def open311_key(db, settings):
    settings.CIVICGRID_INTAKE_LIMIT = (LIMIT, 3600)
    cache.clear()
    client = ApiClient(name="随申办", source_label="随申办")
    raw = client.set_new_key()
    client.save()
    yield raw
    cache.clear()


def _report(key, remote, forwarded=None):
    data = {
        "api_key": key,
        "service_code": "event-0102",
        "lat": str(IN_MICRO[0][1]),
        "long": str(IN_MICRO[0][0]),
        "description": "小区门口暴露垃圾两天没人清运",
        "phone": "13912345678",
    }
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return Client().post("/open311/v2/requests.json", data, REMOTE_ADDR=remote, **extra)


def test_behind_a_trusted_proxy_two_clients_have_separate_buckets(
    tree, garbage, open311_key, behind_nginx
):
    for _ in range(LIMIT):
        assert _report(open311_key, NGINX, "198.51.100.7").status_code == 201
    assert _report(open311_key, NGINX, "198.51.100.7").status_code == 429
    # A forged address left of nginx's does not open a new bucket …
    assert _report(open311_key, NGINX, "1.2.3.4, 198.51.100.7").status_code == 429
    # … another client behind the same nginx has its own.
    assert _report(open311_key, NGINX, "198.51.100.8").status_code == 201
    assert Case.objects.count() == LIMIT + 1


def test_a_client_without_the_proxy_cannot_dodge_the_limit_by_spoofing(
    tree, garbage, open311_key, behind_nginx
):
    for n in range(LIMIT):
        assert _report(open311_key, "203.0.113.5", f"198.51.100.{n}").status_code == 201
    assert _report(open311_key, "203.0.113.5", "198.51.100.99").status_code == 429
    assert Case.objects.count() == LIMIT
