"""``__in`` on integer columns leaves out the values no column can hold (accounts.lookups)."""

import pytest
from django import forms
from django.db import connection, transaction
from django.db.models import BigAutoField
from django.db.models.lookups import In

from accounts.lookups import IntegerFieldIn
from accounts.models import User
from referentiel.models import Competency
from tests.factories import UserFactory
from workflow.models import ExamSubject

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = [-(10**20), 10**20, 2**63, -(2**63) - 1]


def test_an_out_of_range_id_among_others_is_left_out():
    user = UserFactory()
    assert list(User.objects.filter(pk__in=[*OUT_OF_RANGE, user.pk])) == [user]


def test_only_out_of_range_ids_match_nothing_and_their_exclusion_everything():
    users = {UserFactory().pk, UserFactory().pk}
    assert list(User.objects.filter(pk__in=OUT_OF_RANGE)) == []
    assert set(User.objects.exclude(pk__in=OUT_OF_RANGE).values_list("pk", flat=True)) >= users


def test_the_range_is_the_columns_own_a_small_integer_included():
    # A positive small integer holds 0 to 32,767: 70,000 matches nothing, -1 neither.
    assert list(ExamSubject.objects.filter(version__in=[70_000, -1])) == []


def test_the_largest_id_a_column_holds_is_still_looked_up():
    assert list(User.objects.filter(pk__in=[2**63 - 1, -(2**63)])) == []


def test_a_model_multiple_choice_field_refuses_such_a_value_with_its_message():
    class Form(forms.Form):
        competencies = forms.ModelMultipleChoiceField(queryset=Competency.objects.all())

    form = Form(data={"competencies": ["-99999999999999999999"]})
    assert not form.is_valid()
    assert form.errors["competencies"][0].startswith("Sélectionnez un choix valide")


def test_the_same_value_with_django_s_own_lookup_fails_on_sqlite():
    # What the registered lookup prevents (the check can fail): Django's ``In`` sends the value.
    BigAutoField.register_lookup(In)
    try:
        assert User._meta.pk.get_lookup("in") is In
        if connection.vendor == "sqlite":
            with pytest.raises(OverflowError), transaction.atomic():
                list(User.objects.filter(pk__in=[10**20]))
        else:  # psycopg sends the value as a numeric, which PostgreSQL compares with the id
            assert list(User.objects.filter(pk__in=[10**20])) == []
    finally:
        BigAutoField._unregister_lookup(In)
    assert User._meta.pk.get_lookup("in") is IntegerFieldIn
    assert list(User.objects.filter(pk__in=[10**20])) == []
