"""Factories for the registry of accredited persons."""

from __future__ import annotations

import datetime as dt

import factory

from jembatan.missions.models import AccreditedPerson, Category, DocumentType
from jembatan.reference.models import ForeignMission
from jembatan.reference.tests.factories import CountryFactory, ForeignMissionFactory


def embassy_of_australia() -> ForeignMission:
    """The one test embassy of Australia the factory's rows belong to by default."""
    country = CountryFactory(code="AUS", name_en="Australia", name_id="Australia")
    found = ForeignMission.objects.filter(country=country, mission_type=ForeignMission.MissionType.EMBASSY).first()
    return found or ForeignMissionFactory(country=country, name_en="Embassy of Australia", name_id="Kedutaan Besar Australia")


class AccreditedPersonFactory(factory.django.DjangoModelFactory):
    """A diplomatic agent of a test embassy, with a diplomatic passport and a valid card."""

    class Meta:
        model = AccreditedPerson

    mission = factory.LazyFunction(embassy_of_australia)
    category = Category.DIPLOMATIC_AGENT
    surname = factory.Sequence(lambda n: f"SURNAME{n}")
    given_names = "TEST"
    sex = "F"
    birth_date = dt.date(1980, 5, 14)
    nationality = factory.LazyAttribute(lambda o: o.mission.country or CountryFactory(code="AUS"))
    document_type = DocumentType.DIPLOMATIC_PASSPORT
    document_number = factory.Sequence(lambda n: f"DA{n:07d}")
    document_issuing_state = factory.LazyAttribute(lambda o: o.nationality)
    card_number = factory.Sequence(lambda n: f"KD-2025-{n:05d}")
    card_valid_from = dt.date(2025, 1, 1)
    card_valid_until = dt.date(2099, 12, 31)
