"""Jury sessions: composition, candidates, soutenances, deliberation, results and publication,
fraud, retakes and accommodations; with the jury's, the staff's and the candidates' screens."""
