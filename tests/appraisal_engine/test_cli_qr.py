"""`appraisal qr CAMPAIGN --out DIR`: codes and posters for a campaign's links."""

import shutil
import subprocess

import pytest

from appraisal_engine.models import Link


def test_qr_writes_codes_and_posters_for_the_campaigns_links(
    runner, session, factories, tmp_path, app
):
    window = factories.service_point(name_zh="一号窗口")
    cadre = factories.cadre()
    campaign = factories.campaign(code="2026", targets=[window, cadre])
    window_target, cadre_target = campaign.targets
    session.add_all(
        [
            Link(token="WindowToken12345", target=window_target, category="residents", kind="open"),
            Link(
                token="InviteToken12345",
                target=cadre_target,
                category="grassroots",
                kind="invitation",
            ),
        ]
    )
    session.commit()
    out = tmp_path / "print"
    result = runner.invoke(args=["qr", "2026", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "posters-a6.pdf").is_file() and (out / "posters-a4.pdf").is_file()
    assert (out / "invitations-a4.pdf").is_file()
    png = out / "codes" / f"{window.code}-residents.png"
    assert (out / "codes" / f"{window.code}-residents.svg").is_file()
    if shutil.which("zbarimg") is None:
        pytest.skip("decoding needs zbarimg (apt-get install -y zbar-tools)")
    decoded = subprocess.run(
        ["zbarimg", "-q", "--raw", str(png)], capture_output=True, text=True, timeout=60
    ).stdout.strip()
    assert decoded == f"{app.config['PUBLIC_URL']}/s/WindowToken12345"


def test_qr_for_an_unknown_campaign_fails_clearly(runner, tmp_path):
    result = runner.invoke(args=["qr", "nope", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "no campaign 'nope'" in result.output
