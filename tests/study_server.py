"""A team server with a study team: three plain annotators (alice, bob, dave), carol the
adjudicator and lena the lead (tests/team_server.py), forty articles assigned by lena with
25% double annotation. Shared by the server study tests (storage and GUI)."""

from __future__ import annotations

from typing import Any

from study_data import add_articles
from team_server import ALICE, BOB, LENA, SecureTeam, _ensure_role, make_secure_team, password

from annotator.core.study import StudyPlan
from annotator.services import Workspace
from annotator.services.team import TeamServerService
from annotator.storage import open_database

DAVE = "sec_dave"
STUDY = (ALICE, BOB, DAVE)
PLAN = StudyPlan(STUDY, overlap=0.25, per_document=2, seed=7)


def make_study_team(server: Any) -> SecureTeam:
    team = make_secure_team(server)
    admin = TeamServerService.connect(team.owner_url)
    exists = _ensure_role(server, DAVE)
    admin.add_user(DAVE, None if exists else password(DAVE), existing_role=exists)
    owner = open_database(team.owner_url)
    try:  # the secure team's own demo work (one document) is not part of the study
        from annotator.storage import repo

        owner.write(lambda s: repo.delete_document(s, team.doc))
    finally:
        owner.dispose()
    lead = Workspace.open(team.url(LENA))
    try:
        add_articles(lead.db, 1, 40)
        lead.study.assign(PLAN, assigned_by=LENA)
    finally:
        lead.close()
    return team
