"""What the suggestion controller's parts (its keys, its pre-annotation) are given: the
controller itself, the workspace, the runner that puts a step on the undo history, and who
is annotating with which labels, each asked when needed."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from annotator.core.model import Label
from annotator.gui.undo import ServiceCommand
from annotator.services import Workspace

if TYPE_CHECKING:
    from annotator.gui.suggestions import SuggestionController


class ControllerPart:
    def __init__(
        self,
        ctl: SuggestionController,
        *,
        ws: Workspace,
        run: Callable[[ServiceCommand], bool],
        annotator: Callable[[], str],
        labels: Callable[[], list[Label]],
    ) -> None:
        self._ctl = ctl
        self._ws = ws
        self._run = run
        self._annotator = annotator
        self._labels = labels
