from sqlalchemy import select

from appraisal_engine.models import AuditEntry, User


def test_create_admin_with_password_from_environment(runner, session, monkeypatch):
    monkeypatch.setenv("APPRAISAL_PASSWORD", "a long password")
    result = runner.invoke(args=["create-user", "--username", "li", "--role", "admin"])
    assert result.exit_code == 0, result.output
    user = session.scalars(select(User).where(User.username == "li")).one()
    assert user.role == "admin"
    assert user.check_password("a long password")
    assert "a long password" not in user.password_hash
    assert session.scalars(select(AuditEntry.action)).all() == ["user.create"]


def test_create_cadre_account_linked_to_cadre(runner, session, factories, monkeypatch):
    cadre = factories.cadre(code="C900")
    session.commit()
    monkeypatch.setenv("APPRAISAL_PASSWORD", "a long password")
    result = runner.invoke(
        args=["create-user", "--username", "zhang", "--role", "cadre", "--cadre", "C900"]
    )
    assert result.exit_code == 0, result.output
    user = session.scalars(select(User).where(User.username == "zhang")).one()
    assert user.cadre_id == cadre.id


def test_create_user_errors_are_clear_and_write_nothing(runner, session, factories, monkeypatch):
    factories.user("admin", username="taken")
    session.commit()
    monkeypatch.setenv("APPRAISAL_PASSWORD", "a long password")
    cases = [
        (["--username", "x", "--role", "cadre"], "needs --cadre"),
        (["--username", "x", "--role", "cadre", "--cadre", "NOPE"], "no cadre has the code"),
        (["--username", "taken", "--role", "admin"], "exists already"),
        (["--username", "x", "--role", "admin", "--unit", "U1"], "only for the role leader"),
        (["--username", "x", "--role", "leader", "--unit", "NOPE"], "no unit has the code"),
    ]
    for args, message in cases:
        result = runner.invoke(args=["create-user", *args])
        assert result.exit_code == 1, args
        assert message in result.output, (args, result.output)
    monkeypatch.setenv("APPRAISAL_PASSWORD", "short")
    result = runner.invoke(args=["create-user", "--username", "x", "--role", "admin"])
    assert "at least 8 characters" in result.output
    session.expire_all()
    assert session.scalars(select(User.username)).all() == ["taken"]


def test_create_user_without_password_or_terminal_fails(runner, monkeypatch):
    monkeypatch.delenv("APPRAISAL_PASSWORD", raising=False)
    result = runner.invoke(args=["create-user", "--username", "x", "--role", "admin"])
    assert result.exit_code == 1
    assert "APPRAISAL_PASSWORD" in result.output
