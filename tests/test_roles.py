"""Domain rules of roles, on a real database session."""

from __future__ import annotations

import itertools

import pytest

from bot.entities.service import get_entity
from bot.errors import Conflict, Invalid, NotAllowed, NotFound
from bot.people.service import ensure_person
from bot.processes.service import NewProcess, create_process, get_process
from bot.roles.service import grant, require_secretariat, revoke, roles_of, sync_secretariat
from bot.seed import seed
from storage.models import Role

_n = itertools.count(1)


@pytest.fixture
def secretariat(session):
    seed(session)
    user = f"U0ADM{next(_n)}"
    sync_secretariat(session, [user])
    return ensure_person(session, user)


@pytest.fixture
def chemicals(session, secretariat):
    return create_process(session, secretariat, NewProcess(
        handle=f"chemicals-{next(_n)}", kind="img", title="Chemicals and Waste IMG", timezone="Europe/Zurich",
        members=["UNEP", "UNIDO", "WHO"]))


def test_secretariat_users_are_granted_once_however_often_the_bot_starts(session, secretariat):
    assert sync_secretariat(session, [secretariat.slack_user_id]) == 0
    assert [r.role for r in roles_of(session, secretariat)] == [Role.SECRETARIAT]


def test_a_focal_point_speaks_for_a_member_entity_only(session, secretariat, chemicals):
    user = f"U0FP{next(_n)}"
    grant(session, secretariat.slack_user_id, user, Role.FOCAL_POINT, chemicals, get_entity(session, "UNIDO"))
    with pytest.raises(Invalid) as refused:
        grant(session, secretariat.slack_user_id, user, Role.FOCAL_POINT, chemicals, get_entity(session, "WFP"))
    assert refused.value.key == "errors.entity_not_member"
    with pytest.raises(Conflict):
        grant(session, secretariat.slack_user_id, user, Role.FOCAL_POINT, chemicals, get_entity(session, "UNIDO"))


def test_the_refusal_names_the_role_and_who_grants_it(session, secretariat):
    newcomer = ensure_person(session, f"U0NEW{next(_n)}")
    with pytest.raises(NotAllowed) as refused:
        require_secretariat(session, newcomer)
    assert refused.value.params["role"].key == "roles.secretariat"
    assert f"<@{secretariat.slack_user_id}>" in refused.value.params["granted_by"]


def test_an_unknown_entity_suggests_the_closest_codes(session, secretariat):
    with pytest.raises(NotFound) as missing:
        get_entity(session, "UNDIP")
    assert "UNDP" in missing.value.params["suggestions"]


def test_an_unknown_process_suggests_known_ones(session, chemicals):
    with pytest.raises(NotFound) as missing:
        get_process(session, "chemical")
    assert chemicals.handle in missing.value.params["suggestions"]


def test_a_revoked_role_is_gone_and_cannot_be_revoked_twice(session, secretariat, chemicals):
    user = f"U0OBS{next(_n)}"
    grant(session, secretariat.slack_user_id, user, Role.OBSERVER, chemicals)
    revoke(session, secretariat.slack_user_id, user, Role.OBSERVER, chemicals)
    assert roles_of(session, ensure_person(session, user)) == []
    with pytest.raises(NotFound):
        revoke(session, secretariat.slack_user_id, user, Role.OBSERVER, chemicals)
