"""Model plumbing shared by every app (no domain here)."""

from django.db import models


class ImmutableQuerySet(models.QuerySet):
    """Log and history rows are never changed or removed, not even in bulk."""

    def update(self, **kwargs):
        raise ValueError(f"{self.model.__name__} rows are immutable")

    def delete(self):
        raise ValueError(f"{self.model.__name__} rows are immutable")


class ImmutableModel(models.Model):
    """An append-only row (history, access logs, delivery attempts): it is written once; a save of
    a stored row, a delete and a bulk update or delete raise ValueError. Cascades from a parent
    still apply (the database decides those)."""

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError(f"{type(self).__name__} rows are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{type(self).__name__} rows are immutable")
