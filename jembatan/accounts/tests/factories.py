"""Factories for agencies, units and users.

`UserFactory(roles=[Role.CONSULAR_OFFICER])` gives a user exactly the capabilities of
those roles; `with_totp=True` also enrols them in TOTP (needed by roles that require 2FA
before any page works) and stores the secret on `user.totp_secret` for tests that log in.
"""

from __future__ import annotations

import factory
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from jembatan.accounts.models import Agency, OrgUnit, User
from jembatan.accounts.roles import Role
from jembatan.reference.tests.factories import ForeignMissionFactory

TEST_PASSWORD = "correct-horse-battery-staple-9"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"agency-{n}")
    kind = Agency.Kind.IMMIGRATION
    name_id = factory.Sequence(lambda n: f"Instansi {n}")
    name_en = factory.Sequence(lambda n: f"Agency {n}")

    class Params:
        foreign_mission = factory.Trait(kind=Agency.Kind.FOREIGN_MISSION, mission=factory.SubFactory(ForeignMissionFactory))


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit
        django_get_or_create = ("code",)

    agency = factory.SubFactory(AgencyFactory)
    kind = OrgUnit.Kind.IMMIGRATION_OFFICE
    code = factory.Sequence(lambda n: f"unit-{n}")
    name_id = factory.Sequence(lambda n: f"Unit {n}")
    name_en = factory.Sequence(lambda n: f"Unit {n}")
    time_zone = "Asia/Jakarta"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.go.id")
    full_name = factory.LazyAttribute(lambda o: f"Officer {o.username}")
    agency = factory.SubFactory(AgencyFactory)
    unit = factory.LazyAttribute(lambda o: OrgUnitFactory(agency=o.agency))
    roles = factory.LazyFunction(lambda: [Role.IMMIGRATION_OFFICER.value])
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def with_totp(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        self.save()
        if extracted:
            secret = generate_totp_secret()
            TOTP.activate(self, secret)
            self.totp_secret = secret  # type: ignore[attr-defined]
