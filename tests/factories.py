"""All test factories, one place. Each app's section builds only that app's models."""

import factory
from django.contrib.auth import get_user_model

from members.models import Country, MemberOrganisation

# --- Accounts ---------------------------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class StaffUserFactory(UserFactory):
    is_staff = True


class SuperUserFactory(UserFactory):
    is_staff = True
    is_superuser = True


# --- Members ----------------------------------------------------------------------------------


def country(code):
    """A country loaded by the data migration (TH, KH, NP, ...)."""
    return Country.objects.get(code=code)


class MemberOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberOrganisation

    name = factory.Sequence(lambda n: f"Human Rights Centre {n}")
    acronym = factory.Sequence(lambda n: f"HRC{n}")
    slug = factory.Sequence(lambda n: f"human-rights-centre-{n}")
    country = factory.LazyFunction(lambda: Country.objects.get(code="TH"))
    city = "Bangkok"
    website = "https://example.org/"
    description = "<p>Works on civic space.</p>"
    year_joined = 2001
