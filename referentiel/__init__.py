"""The title as data: blocs, modules, competencies, evaluation criteria, épreuves and the
versioned national grids, loaded from ``referentiel/data/``. Imports no other package."""
