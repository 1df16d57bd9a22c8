"""Fixtures shared by the tests that walk every route: the app with CSRF off and the
world of two units, two cadres and their campaigns (defined in test_route_access)."""

from .test_route_access import access_app, password_hash, world

__all__ = ["access_app", "password_hash", "world"]
