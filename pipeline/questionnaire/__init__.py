"""Questionnaire schemas: the spec (model), loading, checking and what is generated from them."""
