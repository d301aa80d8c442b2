"""Jury sessions: composition, candidates, soutenances, deliberation, results and publication,
fraud, retakes and accommodations; with the jury members' screens and the candidate's results."""
