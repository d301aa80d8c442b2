"""What happens to a candidate's files, one sub-package per domain: evaluation, marks, jury,
centre; the state-changing steps (``transitions``) and the records (``models``) they share."""
