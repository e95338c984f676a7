"""One open database and the use cases on it: what the CLI and the GUI talk to.

The services a window needs to show itself (documents, labels, annotations) are built at
once; the others are built on first use, so start-up does not import the format registry,
numpy (agreement, adjudication) or the change feed before the window is on screen.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from annotator.services.annotations import AnnotationService
from annotator.services.documents import DocumentService
from annotator.services.labels import LabelService
from annotator.storage import Database, open_database

if TYPE_CHECKING:
    from annotator.services.adjudication import AdjudicationService
    from annotator.services.agreement import AgreementService
    from annotator.services.backups import BackupService
    from annotator.services.exporting import ExportService
    from annotator.services.guidelines import GuidelineService
    from annotator.services.importing import ImportService
    from annotator.services.judgements import JudgementService
    from annotator.services.layers import LayerService
    from annotator.services.live import ChangeFeed
    from annotator.services.predictions import PredictionService
    from annotator.services.study import StudyService
    from annotator.services.suggestions import SuggestionService
    from annotator.storage.instance import InstanceLock


class Workspace:
    def __init__(
        self,
        db: Database,
        *,
        backups: BackupService | None = None,
        instance: InstanceLock | None = None,
    ) -> None:
        self.db = db
        self.backups = backups
        """Backups of this database (None for a server database or a bare open)."""
        self.instance = instance
        """This process's open-database marker; ``instance.other`` is who else had it open."""
        self.max_import_bytes: int | None = None
        """The settings' per-file import limit, handed to the importer when it is first
        built (building it imports the format modules: not for a command that reads)."""
        self.notices: list[str] = []
        """Things the user should know about this open (a failed daily backup, a full check
        that failed or is overdue); the CLI prints them on stderr, the window shows them."""
        self.documents = DocumentService(db)
        self.labels = LabelService(db)
        self.annotations = AnnotationService(db)

    @cached_property
    def importer(self) -> ImportService:
        from annotator.services.importing import ImportService

        svc = ImportService(self.db)
        if self.max_import_bytes is not None:
            svc.max_file_bytes = self.max_import_bytes
        return svc

    @cached_property
    def exporter(self) -> ExportService:
        from annotator.services.exporting import ExportService

        return ExportService(self.db)

    @cached_property
    def agreement(self) -> AgreementService:
        from annotator.services.agreement import AgreementService

        return AgreementService(self.db)

    @cached_property
    def adjudication(self) -> AdjudicationService:
        from annotator.services.adjudication import AdjudicationService

        return AdjudicationService(self.db)

    @cached_property
    def layers(self) -> LayerService:
        from annotator.services.layers import LayerService

        return LayerService(self.db)

    @cached_property
    def guidelines(self) -> GuidelineService:
        from annotator.services.guidelines import GuidelineService

        return GuidelineService(self.db)

    @cached_property
    def judgements(self) -> JudgementService:
        from annotator.services.judgements import JudgementService

        return JudgementService(self.db)

    @cached_property
    def suggestions(self) -> SuggestionService:
        from annotator.services.suggestions import SuggestionService

        return SuggestionService(self.db)

    @cached_property
    def predictions(self) -> PredictionService:
        from annotator.services.predictions import PredictionService

        return PredictionService(self.db)

    @cached_property
    def study(self) -> StudyService:
        from annotator.services.study import StudyService

        return StudyService(self.db)

    @classmethod
    def open(cls, url: str) -> Workspace:
        return cls(open_database(url))

    def change_feed(self, *, interval: float = 2.0, listen: bool = True) -> ChangeFeed:
        """A live feed of everyone's span changes from now on (see ``services.live``)."""
        from annotator.services.live import ChangeFeed

        return ChangeFeed(self.db, interval=interval, listen=listen)

    @property
    def display_url(self) -> str:
        return self.db.display_url

    def close(self) -> None:
        self.db.dispose()
        if self.instance is not None:
            self.instance.release()
