from django.apps import AppConfig


class CasesConfig(AppConfig):
    """The shared case register: detentions, administrative actions, crimes, deaths…"""

    name = "jembatan.cases"
    label = "cases"
    verbose_name = "Cases"
