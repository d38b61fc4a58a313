"""Writes to the reference tables: the loader and administrators' corrections."""

from jembatan.reference.services.corrections import reference_record_delete, reference_record_save
from jembatan.reference.services.loading import LoadProblem, LoadReport, TableCounts, reference_data_load

__all__ = ["LoadProblem", "LoadReport", "TableCounts", "reference_data_load", "reference_record_delete", "reference_record_save"]
