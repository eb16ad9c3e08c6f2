"""The owner directory: CRM users become owners, matched by e-mail, enriched from config."""

from __future__ import annotations

import sqlalchemy as sa
from assignment_seed import POLICY, USERS, Seed, policy_of

from connectors.protocol import RemoteUser
from core.assignment import (
    AssignmentPolicy,
    OwnerDirectory,
    apply_owner_settings,
    owner_ref_for,
    resolve_owner_ref,
    sync_crm_users,
)
from core.store import OwnerAccount, OwnerRow, Store
from mapping.model import OwnerRef


def test_users_of_two_crms_become_one_owner_each_by_email(
    store: Store, seed: Seed, policy: AssignmentPolicy
) -> None:
    directory = seed.directory(policy)
    assert len(directory.owners) == 3
    wang = directory.by_email("WANG.FANG@example.com")
    assert wang is not None
    assert dict(wang.accounts) == {
        "zoho": "4150868000000225013",
        "fxiaoke": "FSUID_" + "A" * 32,
    }
    assert wang.regions == ("CN-GD",)
    assert wang.capacity == {"A": 2}
    with store.transaction() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(OwnerAccount)) == 5


def test_a_user_disabled_in_one_crm_makes_the_owner_inactive_with_audit(
    store: Store, seed: Seed, policy: AssignmentPolicy
) -> None:
    seed.directory(policy)
    li = seed.owner_id("li.na@example.com")
    disabled = RemoteUser("FSUID_" + "B" * 32, "李娜", "li.na@example.com", active=False)
    with store.transaction() as session:
        changes = sync_crm_users(session, "fxiaoke", [disabled], settings=policy.owners)
    assert changes.deactivated == ["李娜 <li.na@example.com>"]
    with store.transaction() as session:
        assert OwnerDirectory.load(session).owners[li].active is False
    (entry,) = seed.audits(li, "owner.deactivate")
    assert entry.reason == "user disabled in fxiaoke"
    assert (entry.before, entry.after) == (True, False)
    with store.transaction() as session:
        again = sync_crm_users(session, "fxiaoke", USERS["fxiaoke"], settings=policy.owners)
    assert again.reactivated == ["李娜 <li.na@example.com>"]
    assert [e.action for e in seed.audits(li, "owner.")][-1] == "owner.activate"


def test_config_can_keep_an_owner_inactive_whatever_the_crm_says(
    store: Store, seed: Seed, policy: AssignmentPolicy
) -> None:
    gone = policy_of(
        POLICY.replace(
            "{email: zhang.wei@example.com,", "{email: zhang.wei@example.com, active: false,"
        )
    )
    seed.directory(gone)
    zhang = seed.owner_id("zhang.wei@example.com")
    with store.transaction() as session:
        sync_crm_users(session, "zoho", USERS["zoho"], settings=gone.owners)
        assert OwnerDirectory.load(session).owners[zhang].active is False
    assert seed.audits(zhang, "owner.deactivate")[0].reason == "marked inactive in config"


def test_a_partial_user_list_deactivates_nobody(
    store: Store, seed: Seed, policy: AssignmentPolicy
) -> None:
    seed.directory(policy)
    with store.transaction() as session:
        sync_crm_users(session, "zoho", USERS["zoho"][:1], settings=policy.owners)
        assert all(o.active for o in OwnerDirectory.load(session).owners.values())


def test_owner_refs_resolve_both_ways(store: Store, seed: Seed, policy: AssignmentPolicy) -> None:
    seed.directory(policy)
    wang = seed.owner_id("wang.fang@example.com")
    with store.transaction() as session:
        directory = OwnerDirectory.load(session)
        zoho_ref = OwnerRef(remote_id="4150868000000225013", name="王芳")
        assert resolve_owner_ref(session, "zoho", zoho_ref) == wang
        assert directory.resolve("zoho", zoho_ref) == wang
        # the same user id means nothing in another connection
        assert resolve_owner_ref(session, "fxiaoke", zoho_ref) is None
        assert directory.resolve("fxiaoke", zoho_ref) is None
        # an unknown user id with the e-mail Zoho sends along still finds the owner
        by_mail = {"remote_id": "999", "email": "Wang.Fang@Example.com"}
        assert (
            resolve_owner_ref(session, "zoho", by_mail)
            == directory.resolve("zoho", by_mail)
            == wang
        )
        assert resolve_owner_ref(session, "zoho", {"owner_id": str(wang)}) == wang
        out = owner_ref_for(session, wang, "fxiaoke")
        assert out == directory.remote_ref(wang, "fxiaoke")
        assert out is not None
        assert out.remote_id == "FSUID_" + "A" * 32
        zhang = directory.by_email("zhang.wei@example.com")
        assert zhang is not None
        assert owner_ref_for(session, zhang.id, "fxiaoke") is None  # no Fxiaoke user


def test_config_owner_not_yet_in_any_crm_is_created(store: Store, policy: AssignmentPolicy) -> None:
    with store.transaction() as session:
        changes = apply_owner_settings(session, policy.owners)
        assert len(changes.created) == 3
        again = apply_owner_settings(session, policy.owners)
        assert not again
        assert session.scalar(sa.select(sa.func.count()).select_from(OwnerRow)) == 3
