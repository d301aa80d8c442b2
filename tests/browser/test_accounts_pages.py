"""Sign-in pages and each role's home in a real browser: axe-core, phone width, keyboard only."""

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import services
from accounts.models import Role
from tests.browser.support import (
    assert_no_axe_violations,
    focused_has_visible_outline,
    has_horizontal_scroll,
    screenshot,
    tab_to,
)
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


def reset_confirm_url(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("accounts:password_reset_confirm", args=[uid, token])


def anonymous_pages():
    """Return (name, path-or-function) for every page a signed-out visitor can reach."""
    return [
        ("connexion", lambda: reverse("accounts:login")),
        ("mot-de-passe-oublie", lambda: reverse("accounts:password_reset")),
        ("lien-envoye", lambda: reverse("accounts:password_reset_done")),
        ("nouveau-mot-de-passe", lambda: reset_confirm_url(UserFactory())),
        ("lien-expire", lambda: reverse("accounts:password_reset_confirm", args=["MQ", "x-y"])),
        ("mot-de-passe-enregistre", lambda: reverse("accounts:password_reset_complete")),
        (
            "invitation",
            lambda: reverse(
                "accounts:invitation",
                args=[services.invitation_issue(user=UserFactory(roles=[Role.EVALUATEUR]))],
            ),
        ),
        ("invitation-invalide", lambda: reverse("accounts:invitation", args=["perime"])),
        ("page-introuvable", lambda: "/nulle-part/"),
    ]


def test_signed_out_pages_pass_axe_and_fit_a_phone(page, phone_page):
    # One test for all pages: each browser test pays for reloading the référentiel.
    for name, path in anonymous_pages():
        url = path()
        page.goto(url)
        assert page.title().endswith("— Preuves"), name
        assert page.locator("html").get_attribute("lang") == "fr", name
        assert page.locator("h1").count() == 1, name
        assert_no_axe_violations(page)
        screenshot(page, f"compte-{name}")
        phone_page.goto(url)
        assert not has_horizontal_scroll(phone_page), name
        assert_no_axe_violations(phone_page)


def test_each_role_home_passes_axe_on_desktop_and_phone(page, phone_page, sign_in):
    for role in Role:
        user = UserFactory(roles=[role], first_name="Émilie", last_name="Lefèvre-Durand")
        for current in (page, phone_page):
            sign_in(current, user)
            current.goto(reverse("accounts:home"))
            assert current.locator(f'[data-role="{role}"]').is_visible(), role
            assert_no_axe_violations(current)
            assert not has_horizontal_scroll(current), role
        screenshot(page, f"accueil-{role}")
        screenshot(phone_page, f"accueil-{role}-mobile")


def test_home_of_a_person_with_every_role_and_the_password_pages_pass_axe(page, sign_in):
    user = UserFactory(roles=[r.value for r in Role])
    sign_in(page, user)
    page.goto(reverse("accounts:home"))
    assert page.locator("[data-role]").count() == len(Role)
    assert_no_axe_violations(page)
    page.goto(reverse("accounts:password_change"))
    # Django's password rules are a list: it must stay inside the element the field points at.
    new_password = page.locator("#id_new_password1")
    help_id = new_password.get_attribute("aria-describedby")
    assert page.locator(f"#{help_id} li").count() >= 3
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Enregistrer").click()
    assert page.locator(".errorlist").count() >= 1
    assert_no_axe_violations(page)
    screenshot(page, "mot-de-passe-erreurs")
    page.goto(reverse("accounts:password_change_done"))
    assert_no_axe_violations(page)


def test_a_field_in_error_is_marked_invalid_and_described_by_its_message(page):
    UserFactory(email="claire@exemple.fr")
    page.goto(reverse("accounts:login"))
    page.get_by_label("Adresse e-mail").fill("pas-une-adresse")
    page.get_by_role("button", name="Se connecter").click()
    email = page.get_by_label("Adresse e-mail")
    assert email.get_attribute("aria-invalid") == "true"
    described_by = email.get_attribute("aria-describedby").split()
    messages = [page.locator(f"#{ident}").inner_text() for ident in described_by]
    assert any("adresse" in message.lower() for message in messages)
    assert_no_axe_violations(page)


def test_a_wrong_password_is_announced_and_the_page_stays_accessible(page):
    UserFactory(email="claire@exemple.fr")
    page.goto(reverse("accounts:login"))
    page.get_by_label("Adresse e-mail").fill("claire@exemple.fr")
    page.get_by_label("Mot de passe").fill("pas-le-bon")
    page.get_by_role("button", name="Se connecter").click()
    alert = page.get_by_role("alert")
    assert "incorrect" in alert.inner_text()
    assert_no_axe_violations(page)
    screenshot(page, "connexion-erreur")


def test_sign_in_with_the_keyboard_alone(page, live_server):
    UserFactory(email="karim@exemple.fr", roles=[Role.TUTEUR], first_name="Karim")
    page.goto(reverse("accounts:login"))
    # The e-mail field has the focus on arrival; the skip link is one Shift+Tab before it.
    assert page.evaluate("document.activeElement.name") == "username"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert focused_has_visible_outline(page)
    tab_to(page, page.get_by_label("Adresse e-mail"))
    assert focused_has_visible_outline(page)
    page.keyboard.type("karim@exemple.fr")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "password"
    assert focused_has_visible_outline(page)
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/accueil/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Bonjour Karim " + (
        UserFactory._meta.model.objects.get(email="karim@exemple.fr").last_name
    )
    # Signing out is reachable from the keyboard too.
    tab_to(page, page.get_by_role("button", name="Se déconnecter"))
    assert focused_has_visible_outline(page)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Connexion à Preuves"


def test_the_skip_link_moves_focus_to_the_main_content(page, sign_in):
    sign_in(page, UserFactory(roles=[Role.CANDIDAT]))
    page.goto(reverse("accounts:home"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"


def test_the_axe_helper_fails_and_names_each_violation(page):
    page.set_content(
        '<html lang="fr"><head><title>Essai</title></head><body><main><h1>Essai</h1>'
        '<img src="data:," ><input type="text"></main></body></html>'
    )
    with pytest.raises(AssertionError) as failure:
        assert_no_axe_violations(page)
    assert "image-alt" in str(failure.value)
    assert "label" in str(failure.value)
