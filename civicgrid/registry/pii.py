"""Masking of personal data: kept here for the registry's callers; the rules live in
civicgrid.core.masking."""

from civicgrid.core.masking import birth_year, mask_id_number, mask_phone

__all__ = ["birth_year", "mask_id_number", "mask_phone"]
