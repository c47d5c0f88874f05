"""Domain errors: raised by services, shown to the user next to the action."""


class DomainError(Exception):
    """A business rule refused the operation; the message is for the user."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


class ConcurrentModification(DomainError):
    """Someone else saved the record since it was loaded."""


class TenantRequired(RuntimeError):
    """Tenant-scoped code was called without a tenant schema."""
