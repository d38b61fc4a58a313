"""Factories for reference data used across the test suite."""

from __future__ import annotations

import factory

from jembatan.reference.models import Country, DetentionCentre, ForeignMission, ImmigrationOffice


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"Q{n % 26 + 65:c}{n // 26 % 26 + 65:c}")
    name_en = factory.LazyAttribute(lambda o: f"Country {o.code}")
    name_id = factory.LazyAttribute(lambda o: f"Negara {o.code}")


class ImmigrationOfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImmigrationOffice
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"KANIM-TEST-{n}")
    name_id = factory.Sequence(lambda n: f"Kantor Imigrasi Uji {n}")
    name_en = factory.Sequence(lambda n: f"Test Immigration Office {n}")
    city = "Denpasar"
    province = "Bali"
    time_zone = "Asia/Makassar"


class DetentionCentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DetentionCentre
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"RDN-T{n}")
    name_id = factory.Sequence(lambda n: f"Rumah Detensi Imigrasi Uji {n}")
    name_en = factory.Sequence(lambda n: f"Test Immigration Detention Centre {n}")
    city = "Denpasar"
    province = "Bali"
    time_zone = "Asia/Makassar"


class ForeignMissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ForeignMission

    country = factory.SubFactory(CountryFactory)
    sending_entity = factory.LazyAttribute(lambda o: o.country.name_en)
    mission_type = ForeignMission.MissionType.EMBASSY
    city = "Jakarta Selatan"
    province = "DKI Jakarta"
    name_en = factory.LazyAttribute(lambda o: f"Embassy of {o.sending_entity}")
    name_id = factory.LazyAttribute(lambda o: f"Kedutaan Besar {o.sending_entity}")
