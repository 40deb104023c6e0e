"""What every Fourcast store offers beyond the core's port: the operator's side (seeding,
counting, closing), used by ``fourcast seed`` / ``serve`` and the tests, never by a use case."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence

from services.core.domain import Observation, Station
from services.core.ports import Repository


class Store(Repository):
    """A repository the operator can seed, count and close."""

    name: str  # what to print for it (a path, or a URL without its password)

    @abstractmethod
    def is_seeded(self) -> bool: ...

    @abstractmethod
    def changes_since_seed(self) -> int:
        """How many changes were committed after the last seed (all of them if never seeded)."""

    @abstractmethod
    def counts(self) -> tuple[int, int]:
        """How many stations and observations the store holds."""

    @abstractmethod
    def load_seed(self, stations: Sequence[Station], observations: Sequence[Observation], *,
                  replace_all: bool, source: str) -> bool:
        """Load a seed in one transaction. Without ``replace_all`` it does nothing if the store
        was seeded already (so concurrent first starts seed once). Returns whether it loaded."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
