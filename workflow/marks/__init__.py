"""Marks that feed the decision besides the evaluators' grids: continuous assessment,
attendance, the tutor's 50-point evaluation, épreuves marks, the mémoire's written mark."""
