"""Form of the traffic import page: which kind of file, and the file."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jembatan.core.exceptions import ApplicationError
from jembatan.traffic.models import ImportBatch


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=ImportBatch.Kind.choices,
        initial=ImportBatch.Kind.CROSSINGS,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8, comma, header row) or Parquet in exchange format 1.0. Large files are imported in the background."),
        error_messages={"required": _("Choose a file to upload.")},
    )

    def add_service_error(self, error: ApplicationError) -> None:
        field = error.field if error.field in self.fields else None
        self.add_error(field, str(error.message))
