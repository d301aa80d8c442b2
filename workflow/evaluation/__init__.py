"""Evaluation of portfolios and mémoires: screening, independent evaluators and their assignments,
scoring on the national grid, double marking and reconciliation, reminders; with their screens."""
