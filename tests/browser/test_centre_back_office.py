"""A centre starts a cohort on its own, in a real browser, without ever opening /admin/.

The centre's responsable creates a cohort and a trainer, imports the candidates with the
existing import page, records who taught which module, gives one candidate their own end of
training, invites every account without a password in one action; a candidate then signs in
from the e-mailed link. Every back-office page visited goes through axe-core, on a phone too.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Cohort, Enrolment, TrainingLink
from tests.browser import steps
from tests.factories import STAFF_ROLES, EstablishmentFactory, UserFactory

pytestmark = pytest.mark.browser

CANDIDATES = (
    "nom;prénom;e-mail;date de naissance;voie;entreprise;e-mail du tuteur;nom du tuteur;"
    "prénom du tuteur\n"
    "Légaré;Anaïs;anais.legare@exemple.fr;05/03/1998;portefeuille;Hôtel des Célestins;"
    "tuteur.celestins@exemple.fr;Faure;Hélène\n"
    "Dupont;Jérôme;jerome.dupont@exemple.fr;28/11/2001;épreuves;Imprimerie Lumière;"
    "tuteur.lumiere@exemple.fr;Roche;Marc\n"
)
NEW_PASSWORD = "Un-mot-de-passe-solide-2026"


def test_a_centre_starts_a_cohort_and_its_candidates_sign_in_without_the_admin(
    page, phone_page, sign_in, chromium, live_server
):
    visited = []
    page.on("request", lambda request: visited.append(request.url))
    responsable = UserFactory(
        roles=STAFF_ROLES, roles__establishment=EstablishmentFactory(), first_name="Claire"
    )
    sign_in(page, responsable)

    page.goto(reverse("accounts:home"))
    page.get_by_role("link", name=re.compile("Back office")).first.click()
    steps.check_page(page)

    # A cohort.
    page.get_by_role("link", name="Promotions", exact=True).first.click()
    steps.check_page(page)
    page.get_by_role("link", name="Créer une promotion").click()
    steps.check_page(page)
    page.get_by_label("Nom de la promotion").fill("Office Manager 2026 – Lyon")
    page.get_by_label("Début de formation").fill("2025-09-01")
    page.get_by_label("Fin de formation").fill("2026-06-30")
    page.get_by_label("Date limite du mémoire").fill("2026-09-30")
    page.get_by_role("button", name="Créer la promotion").click()
    page.get_by_role("heading", name="Office Manager 2026 – Lyon").wait_for()
    cohort = Cohort.objects.get(name="Office Manager 2026 – Lyon")
    steps.check_page(page)

    # A trainer, not invited yet: the bulk invitation will reach them.
    page.goto(reverse("centres:person_create"))
    steps.check_page(page)
    page.get_by_label("Rôle").select_option("formateur")
    page.locator("#id_last_name").fill("Garnier")
    page.locator("#id_first_name").fill("Paul")
    page.get_by_label("Adresse e-mail").fill("paul.garnier@exemple.fr")
    page.get_by_label(re.compile("Envoyer tout de suite")).uncheck()
    page.get_by_role("button", name="Ajouter").click()
    page.get_by_text("Paul Garnier est enregistré(e).").wait_for()
    steps.check_page(page)
    page.goto(reverse("centres:person_list") + "?onglet=vivier")
    steps.check_page(page)

    # The candidates, through the existing import page.
    page.goto(reverse("documents:candidate_import"))
    page.get_by_label("Promotion").select_option(label=cohort.name)
    page.get_by_label("Fichier des candidats").set_input_files(
        {"name": "promo.csv", "mimeType": "text/csv", "buffer": CANDIDATES.encode()}
    )
    page.get_by_role("button", name="Vérifier le fichier").click()
    page.get_by_role("button", name="Confirmer l'import").click()
    page.get_by_text("Import terminé").wait_for()
    assert Enrolment.objects.filter(cohort=cohort).count() == 2

    # Who taught which module.
    page.goto(reverse("centres:cohort_detail", args=[cohort.pk]))
    module = cohort.title.blocs.get(number=1).modules.first()
    page.locator("#id_module").select_option(str(module.pk))
    page.locator("#id_trainer").select_option(label="Paul Garnier (paul.garnier@exemple.fr)")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.get_by_text("Paul Garnier enregistré(e) pour le module").wait_for()
    assert TrainingLink.objects.filter(cohort=cohort, module=module).exists()
    steps.check_page(page)
    sign_in(phone_page, responsable)
    phone_page.goto(page.url)
    steps.check_page(phone_page, phone=True)

    # One candidate ends later than the cohort.
    page.get_by_role("link", name="Modifier la fin de formation de Anaïs Légaré").click()
    steps.check_page(page)
    page.get_by_label("Fin de formation du candidat").fill("2026-10-31")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("31/10/2026").wait_for()

    # The other pages of the back office.
    for name in ("centres:accompaniment_list", "centres:conflict_list"):
        page.goto(reverse(name))
        steps.check_page(page)

    # Everyone invited in one action: 2 candidates, 2 tutors, the trainer.
    page.goto(reverse("centres:invitation_list"))
    steps.check_page(page)
    page.get_by_role("button", name="Inviter tous les comptes sans mot de passe").click()
    page.get_by_text("5 e-mail(s) partent maintenant").wait_for()
    steps.check_page(page)
    page.get_by_role("button", name="Envoyer les invitations").click()
    page.get_by_text("5 invitations envoyées.").wait_for()
    steps.check_page(page)
    phone_page.goto(page.url)
    steps.check_page(phone_page, phone=True)
    assert sorted(message.to[0] for message in mail.outbox) == [
        "anais.legare@exemple.fr",
        "jerome.dupont@exemple.fr",
        "paul.garnier@exemple.fr",
        "tuteur.celestins@exemple.fr",
        "tuteur.lumiere@exemple.fr",
    ]

    # A candidate signs in from the invitation.
    message = next(m for m in mail.outbox if m.to == ["anais.legare@exemple.fr"])
    link = re.search(r"https?://\S+/invitation/\S+/", message.body).group(0)
    candidate_context = chromium.new_context(base_url=live_server.url, locale="fr-FR")
    candidate = candidate_context.new_page()
    candidate.goto(link)
    candidate.locator("#id_new_password1").fill(NEW_PASSWORD)
    candidate.locator("#id_new_password2").fill(NEW_PASSWORD)
    candidate.get_by_role("button", name="Activer mon compte").click()
    candidate.locator('[data-role="candidat"]').wait_for()
    candidate_context.close()

    page.goto(reverse("centres:invitation_list") + "?filtre=non-connectes")
    assert page.locator('[data-account="anais.legare@exemple.fr"]').count() == 0
    assert not [url for url in visited if "/admin/" in url]
