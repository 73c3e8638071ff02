"""Invitation letters end to end: `portal token import` a class list, `portal letters`, then read the
results as a parent's tools would: the QR code decoded by zbarimg (from the e-mail's PNG and from the
printed PDF), the .eml parsed by Python's email package, and the decoded link opened in the app."""
import email
import email.policy
import glob
import json
import os
import shutil
import subprocess

import pytest

from conftest import PORTAL_BIN, REPO, USE_REAL, run

CLASS_LIST = """family;email;group
Fam. Jansen;jansen@example.nl;groep-3+groep-8
"Fam. Özdemir";ozdemir@example.nl;groep-5
Fam. de Vries;devries@example.nl;groep-1-2a
"""
URL = "https://ouders.obs-deregenboog.example"

pytestmark = pytest.mark.skipif(not USE_REAL, reason="needs the real portal binary")


def zbar(image: str) -> list[str]:
    """The QR codes zbarimg finds in an image, as text."""
    r = subprocess.run(["zbarimg", "--quiet", "--raw", image], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, f"zbarimg found no code in {image}: {r.stderr}"
    return [line for line in r.stdout.splitlines() if line]


def import_and_write(root: str, keys: str, content: str, letters: str) -> dict:
    """Imports the class list and writes the letters; returns the keystore's records by e-mail."""
    with open(os.path.join(root, "klas.csv"), "w", encoding="utf-8") as f:
        f.write(CLASS_LIST)
    out = run("token", "import", os.path.join(root, "klas.csv"), "--keys", keys, "--content", content)
    assert "3 tokens issued" in out
    out += run("letters", "--out", letters, "--keys", keys, "--content", content)
    with open(os.path.join(keys, "keystore.json"), encoding="utf-8") as f:
        records = {r["email"]: r for r in json.load(f)["tokens"] if r.get("email")}
    for r in records.values():
        assert r["token"] not in out, "tokens never go to the terminal"
    return records


@pytest.fixture
def letters(tmp_path):
    root = str(tmp_path)
    content, keys, out = (os.path.join(root, d) for d in ("content", "keys", "letters"))
    shutil.copytree(os.path.join(REPO, "content"), content)
    return out, import_and_write(root, keys, content, out)


def test_emails_parse_and_their_qr_code_is_the_link(letters, tmp_path):
    out, records = letters
    emls = sorted(glob.glob(os.path.join(out, "*.eml")))
    assert len(emls) == 3
    for path in emls:
        with open(path, "rb") as f:
            msg = email.message_from_bytes(f.read(), policy=email.policy.default)
        record = records[msg["To"].addresses[0].addr_spec]
        token, link = record["token"], f"{URL}/#token={record['token']}"
        assert msg["To"].addresses[0].display_name == record["label"]
        assert msg["From"].addresses[0].display_name == "OBS De Regenboog"
        assert msg["From"].addresses[0].addr_spec == "ict@obs-deregenboog.example"
        assert str(msg["Subject"]) == ("Uw toegang tot het ouderportaal van OBS De Regenboog"
                                       " / Your access to the parent portal")
        assert msg["Date"].datetime is not None and msg["Message-ID"].endswith("@obs-deregenboog.example>")
        assert msg.get_content_type() == "multipart/alternative"
        text, html = msg.get_body(("plain",)), msg.get_body(("html",))
        assert text.get_content_charset() == "utf-8" and html.get_content_charset() == "utf-8"
        for part in (text.get_content(), html.get_content()):
            assert token in part and link in part
            assert "Registreer vóór" in part and "Register before" in part
            assert "Zet op beginscherm" in part and "App installeren" in part
        if "groep-3" in record["audiences"]:
            assert "Groep 3, Groep 8" in text.get_content()

        images = [p for p in msg.walk() if p.get_content_type() == "image/png"]
        assert len(images) == 1
        cid = images[0]["Content-ID"].strip("<>")
        assert f'src="cid:{cid}"' in html.get_content(), "the HTML shows the inline QR code"
        png = tmp_path / "qr.png"
        png.write_bytes(images[0].get_content())
        assert zbar(str(png)) == [link]

    # The non-ASCII family name survives the encoded-word round trip.
    assert any(records[e]["label"] == "Fam. Özdemir" for e in records)


def test_printed_letter_qr_code_is_the_link(letters, tmp_path):
    out, records = letters
    pdfs = sorted(glob.glob(os.path.join(out, "*.pdf")))
    assert len(pdfs) == 3, "Debian's chromium is installed (.ci/install-deps), so every letter has a PDF"
    for pdf in pdfs:
        prefix = os.path.join(str(tmp_path), "page")
        subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", pdf, prefix], check=True, timeout=60)
        page = glob.glob(prefix + "*.png")[0]
        codes = zbar(page)
        os.remove(page)
        ident = os.path.basename(pdf).rsplit("-", 1)[1].removesuffix(".pdf")
        record = next(r for r in records.values() if r["id"].startswith(ident))
        assert codes == [f"{URL}/#token={record['token']}"]
        mode = os.stat(pdf).st_mode & 0o777
        assert mode == 0o600
    assert os.stat(out).st_mode & 0o777 == 0o700


def test_the_link_in_the_qr_code_opens_the_portal(real_site_copy, context, tmp_path):
    """A parent scans the letter: the decoded link, pointed at the test server, logs in."""
    s = real_site_copy
    keys, content = os.path.join(s.root, "keys"), os.path.join(s.root, "content")
    out = os.path.join(str(tmp_path), "brieven")
    records = import_and_write(str(tmp_path), keys, content, out)
    s.generate()
    record = records["ozdemir@example.nl"]
    eml = glob.glob(os.path.join(out, f"fam-ozdemir-{record['id'][:8]}.eml"))[0]
    with open(eml, "rb") as f:
        msg = email.message_from_bytes(f.read(), policy=email.policy.default)
    png = tmp_path / "qr.png"
    png.write_bytes(next(p for p in msg.walk() if p.get_content_type() == "image/png").get_content())
    (link,) = zbar(str(png))
    assert link.startswith(URL + "/#token=")
    page = context.new_page()
    page.goto(s.url.rstrip("/") + link[len(URL):])
    page.wait_for_selector(".view-timeline", timeout=30000)
    assert "#token=" not in page.url, "the app takes the token out of the address bar"
    assert page.locator(".card").count() > 0
