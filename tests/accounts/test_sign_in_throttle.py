"""Sign-in throttling behind the proxy: per account and per address, counted atomically."""

import pytest
from django.test import Client, RequestFactory

from accounts.forms import client_ip
from accounts.models import LoginFailure
from tests.factories import PASSWORD, UserFactory
from tests.races import needs_row_locks, run_together

THROTTLED = "Trop de tentatives"
WRONG = "Adresse e-mail ou mot de passe incorrect"
ROOM = "198.51.100.20"  # a training room behind one NAT
NGINX = "10.0.0.2"


def sign_in(client, email, password, *, address=ROOM):
    """Post the login form as nginx forwards it: X-Forwarded-For ends with the client."""
    return client.post(
        "/",
        {"username": email, "password": password},
        REMOTE_ADDR=NGINX,
        HTTP_X_FORWARDED_FOR=address,
    )


def request_from(remote_addr, forwarded_for=None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("trusted", "remote_addr", "forwarded_for", "client"),
    [
        (0, NGINX, "203.0.113.9", NGINX),  # no proxy trusted: the header is the client's word
        (1, NGINX, "203.0.113.9", "203.0.113.9"),
        (1, NGINX, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # a forged left entry is ignored
        (2, NGINX, "6.6.6.6, 203.0.113.9, 10.0.0.7", "203.0.113.9"),
        (1, NGINX, None, NGINX),  # header missing: the proxy's own address
        (1, NGINX, "not-an-address", NGINX),
        (1, NGINX, " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_the_client_address_is_read_behind_the_configured_trusted_proxies(
    settings, trusted, remote_addr, forwarded_for, client
):
    settings.PREUVES_TRUSTED_PROXIES = trusted
    assert client_ip(request_from(remote_addr, forwarded_for)) == client


@pytest.mark.django_db
def test_five_wrong_passwords_on_one_account_do_not_lock_out_the_room(client, settings):
    settings.PREUVES_TRUSTED_PROXIES = 1
    UserFactory(email="victime@exemple.fr")
    UserFactory(email="voisine@exemple.fr")
    for _ in range(5):
        assert WRONG in sign_in(client, "victime@exemple.fr", "faux").content.decode()
    assert THROTTLED in sign_in(client, "victime@exemple.fr", PASSWORD).content.decode()
    # Same room, same proxy, another account: signs in.
    response = sign_in(Client(), "voisine@exemple.fr", PASSWORD)
    assert response.status_code == 302


@pytest.mark.django_db
def test_an_address_is_throttled_at_its_own_higher_limit(client, settings):
    settings.PREUVES_TRUSTED_PROXIES = 1
    settings.LOGIN_THROTTLE_ADDRESS_FAILURES = 8
    UserFactory(email="derniere@exemple.fr")
    for number in range(8):
        html = sign_in(client, f"essai{number}@exemple.fr", "faux").content.decode()
        assert WRONG in html
    assert THROTTLED in sign_in(client, "derniere@exemple.fr", PASSWORD).content.decode()
    elsewhere = sign_in(Client(), "derniere@exemple.fr", PASSWORD, address="192.0.2.50")
    assert elsewhere.status_code == 302


@pytest.mark.django_db
def test_a_right_password_forgets_the_accounts_failures_but_not_the_addresss(client, settings):
    settings.PREUVES_TRUSTED_PROXIES = 1
    UserFactory(email="oubli@exemple.fr")
    sign_in(client, "autre@exemple.fr", "faux")
    sign_in(client, "oubli@exemple.fr", "faux")
    assert sign_in(client, "oubli@exemple.fr", PASSWORD).status_code == 302
    assert list(LoginFailure.objects.values_list("email", "ip_address")) == [
        ("autre@exemple.fr", ROOM)
    ]


@pytest.mark.django_db
def test_spelling_variants_of_an_address_share_its_five_attempts(client, settings):
    # The database matches e-mails case-insensitively (UPPER): « admın » (dotless ı) and
    # « ADMIN » are « admin » to it, so they must not bring five more attempts each.
    settings.PREUVES_TRUSTED_PROXIES = 1
    UserFactory(email="jessica.admin@exemple.fr")
    variants = [
        "jessica.admin@exemple.fr",
        "JESSICA.ADMIN@EXEMPLE.FR",
        "jessica.admın@exemple.fr",
        "jeſſica.admin@exemple.fr",
        "Jessica.Admin@Exemple.fr",
    ]
    for variant in variants:
        sign_in(client, variant, "faux")
    html = sign_in(Client(), "jessica.admin@exemple.fr", PASSWORD, address="192.0.2.80")
    assert THROTTLED in html.content.decode()


@pytest.mark.django_db
def test_an_ipv6_client_counts_by_its_64_network(client, settings):
    # One subscriber gets a whole /64 and can rotate through it: the limit holds for all of it.
    settings.PREUVES_TRUSTED_PROXIES = 1
    settings.LOGIN_THROTTLE_ADDRESS_FAILURES = 4
    UserFactory(email="ipv6@exemple.fr")
    for number in range(4):
        sign_in(client, f"essai{number}@exemple.fr", "faux", address=f"2001:db8:1:2::{number + 1}")
    rotated = sign_in(Client(), "ipv6@exemple.fr", PASSWORD, address="2001:db8:1:2:ffff::9")
    assert THROTTLED in rotated.content.decode()
    other_network = sign_in(Client(), "ipv6@exemple.fr", PASSWORD, address="2001:db8:1:3::1")
    assert other_network.status_code == 302


@needs_row_locks
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_attempts_check_exactly_five_passwords(settings):
    settings.PREUVES_TRUSTED_PROXIES = 1
    UserFactory(email="cible@exemple.fr")

    def attempt(index):
        response = sign_in(Client(), "cible@exemple.fr", "faux", address=f"203.0.113.{index}")
        html = response.content.decode()
        outcome = "wrong" if WRONG in html else "throttled"
        return outcome if (WRONG in html) != (THROTTLED in html) else html

    answers = run_together([lambda index=index: attempt(index) for index in range(20)], timeout=60)
    assert sorted(answers) == ["throttled"] * 15 + ["wrong"] * 5
    assert LoginFailure.objects.filter(email="cible@exemple.fr").count() == 5
