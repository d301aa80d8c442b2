"""The workflow's one error type: a refusal a user can act on, explained in French."""


class WorkflowError(Exception):
    """A refused action; ``message`` is the French sentence to show on the page."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
