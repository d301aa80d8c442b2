"""What happens to a candidate's files, one sub-package per domain (marks, evaluation, jury,
centre) over shared modules: models, transitions, errors, describe, titles, grids, web, widgets."""
