"""Names of run states and search views, as MLflow spells them."""


class ViewType:
    """Which lifecycle stages a search includes."""

    ACTIVE_ONLY = 1
    DELETED_ONLY = 2
    ALL = 3


class RunStatus:
    """The states of a run."""

    RUNNING = "RUNNING"
    SCHEDULED = "SCHEDULED"
    FINISHED = "FINISHED"
    FAILED = "FAILED"
    KILLED = "KILLED"
