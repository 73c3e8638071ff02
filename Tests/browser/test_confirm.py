"""Read confirmations in Chromium (issue 18, point 4): a news item with `confirm: true` asks the
parent "Gelezen"; the click goes to the real receiver, which keeps only that this code confirmed;
another device of the same code shows it as read without asking again; `portal confirmations`
on the school's computer counts per item and names the codes that did not confirm yet. Items
without `confirm:` ask nothing."""
import csv
import io

from conftest import NL, phone_context, staff
from test_forms import open_app

ITEM = "news/luizencontrole"


def test_a_parent_confirms_reading_and_the_school_counts_it(booking_site, receiver, browser):
    bs = booking_site
    phone = phone_context(browser, 8000)
    pg = open_app(phone, receiver.url, bs.tokens["g5"])
    pg.goto(receiver.url + "#/item/" + ITEM)
    box = pg.locator("[data-testid=confirm]")
    box.wait_for()
    assert box.get_attribute("data-state") == "open"
    assert NL["confirm.ask"] in box.inner_text()
    pg.click("[data-testid=confirm-button]")
    pg.wait_for_selector("[data-testid=confirm][data-state=done]")
    assert NL["confirm.done"].split("{time}")[0] in pg.inner_text("[data-testid=confirm]")

    # Another device with the same code learns it from the receiver.
    tablet = phone_context(browser, 8000)
    tp = open_app(tablet, receiver.url, bs.tokens["g5"])
    tp.goto(receiver.url + "#/item/" + ITEM)
    tp.wait_for_selector("[data-testid=confirm][data-state=done]")
    # An item without confirm: asks nothing.
    tp.goto(receiver.url + "#/item/news/fietsverlichting")
    tp.wait_for_selector(".view-item .fragment[data-state=ready]")
    assert tp.locator("[data-testid=confirm]").count() == 0

    said = staff(bs, receiver, "confirmations")
    parents = [k for k in bs.tokens if not k.startswith("teacher")]
    assert f"Luizencontrole na de herfstvakantie (school): 1 of {len(parents)} confirmed; not yet: " in said, said
    assert "Familie Bakker" in said and "Familie De Vries," not in said, said
    rows = list(csv.DictReader(io.StringIO(staff(bs, receiver, "confirmations", "--csv"))))
    done = [r for r in rows if r["confirmed"]]
    assert [(r["item"], r["code"]) for r in done] == [(ITEM, "Familie De Vries")], rows
    assert done[0]["confirmed"].endswith(("+01:00", "+02:00")), "school time"
    assert pg.errors == [] and tp.errors == []
    phone.close()
    tablet.close()
