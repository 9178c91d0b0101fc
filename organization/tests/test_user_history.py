from organization.models import Role


def test_a_change_of_role_or_scope_is_kept_in_the_users_history(world):
    bob = world.bob
    bob.role, bob.village, bob.town = Role.TOWN_OFFICIAL, None, world.town_b
    bob._history_user = world.erin
    bob.save()
    newest = bob.history.first()
    assert (newest.role, newest.town_id, newest.history_user) == (
        Role.TOWN_OFFICIAL,
        world.town_b.pk,
        world.erin,
    )
    assert not hasattr(newest, "password")


def test_signing_in_writes_no_history_version(world, client):
    before = world.alice.history.count()
    assert (
        client.post("/login/", {"username": "alice", "password": world.password}).status_code == 302
    )
    world.alice.refresh_from_db()
    assert world.alice.last_login is not None
    assert world.alice.history.count() == before
