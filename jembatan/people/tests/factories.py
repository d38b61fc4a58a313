"""Factories for persons, their nationalities and identity documents."""

from __future__ import annotations

import datetime as dt

import factory

from jembatan.accounts.tests.factories import AgencyFactory
from jembatan.people import mrz
from jembatan.people.models import IdentityDocument, Nationality, Person, Sex
from jembatan.reference.tests.factories import CountryFactory


class PersonFactory(factory.django.DjangoModelFactory):
    """`PersonFactory(nationalities=["AUS", "GBR"])` also links those countries (first primary)."""

    class Meta:
        model = Person
        skip_postgeneration_save = True

    surname = factory.Sequence(lambda n: f"SURNAME{n}")
    given_names = "TEST"
    sex = Sex.FEMALE
    birth_year = 1985
    birth_month = 3
    birth_day = 14
    recorded_by_agency = factory.SubFactory(AgencyFactory)

    @factory.post_generation
    def nationalities(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        for i, code in enumerate(extracted or []):
            Nationality.objects.create(person=self, country=CountryFactory(code=code), is_primary=(i == 0))


class IdentityDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IdentityDocument

    person = factory.SubFactory(PersonFactory)
    document_type = IdentityDocument.DocumentType.PASSPORT
    number = factory.Sequence(lambda n: f"X{n:08d}")
    issuing_state = factory.SubFactory(CountryFactory, code="UTO")
    issued_on = dt.date(2022, 1, 10)
    expires_on = dt.date(2032, 1, 9)
    mrz = factory.LazyAttribute(
        lambda o: "\n".join(
            mrz.compose_td3(
                issuing_state=o.issuing_state.code,
                surname=o.person.surname,
                given_names=o.person.given_names,
                document_number=o.number,
                nationality=o.issuing_state.code,
                birth_date=dt.date(1985, 3, 14),
                sex="F",
                expiry_date=o.expires_on,
            )
        )
    )
