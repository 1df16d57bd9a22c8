"""A real browser signs in with what `appraisal demo`-style accounts get."""

from ..factories import PASSWORD


def test_admin_signs_in_on_a_phone(live_server, phone, factories, session):
    user = factories.user("admin", username="admin")
    session.commit()
    phone.goto(f"{live_server}/login")
    assert phone.title() == "登录"
    phone.fill("#username", user.username)
    phone.fill("#password", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url(f"{live_server}/admin/")
    assert phone.locator("h1").inner_text() == "系统管理"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360, "no sideways scrolling"
    phone.click("text=English")
    assert phone.locator("h1").inner_text() == "Administration"
