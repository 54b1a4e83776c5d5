#!/usr/bin/python3
"""A screen reader's view of a staff call (LOBBY.md §1), through a real AT-SPI client.

Run by .ci/lobby-check (through .ci/atspi-check) with the kiosk publishing to a real
PostgreSQL server while a desk listens. Presses 「スタッフをよぶ」 with its AT-SPI action, as
a screen-reader user would; the staff-call screen must then say 「スタッフを 呼んでいます」.
The desk (the shell around this script) answers 「行きます」; the same screen must then say
who is coming (「佐藤さんが 向かっています」, `show_staff_name = true`) — never before.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import atspi_walk as w  # noqa: E402

CALLING = "スタッフを 呼んでいます"
COMING = "佐藤さんが 向かっています"


def has_text(text):
    return lambda nodes: any(text in n.name for n in nodes)


def main():
    app = w.find_kiosk()
    nodes, ok = w.wait_for(app, w.attract_ready, w.SCREEN_TIMEOUT)
    if not ok:
        w.fail(f"no attract screen; buttons: {w.button_names(nodes)}")
    call = w.find_button(nodes, "スタッフをよぶ")
    if call is None:
        w.fail(f"no 「スタッフをよぶ」 button with publish_to set; buttons: {w.button_names(nodes)}")
    w.activate(call)
    nodes, ok = w.wait_for(app, has_text(CALLING), 10.0)
    if not ok:
        w.fail(f"after 「スタッフをよぶ」 no {CALLING!r}; names: {[n.name for n in nodes if n.name]}")
    if has_text("向かっています")(nodes):
        w.fail("the kiosk said someone is coming before any desk answered")
    print(f"atspi-lobby: the kiosk says {CALLING!r}; waiting for a desk to answer")
    sys.stdout.flush()
    # Only now may the desk answer (.ci/lobby-check waits for this file): else an answer that
    # comes within one tree walk would hide 「呼んでいます」 from this client.
    mark = os.environ.get("LOBBY_CALLING_MARK")
    if mark:
        open(mark, "w").close()
    nodes, ok = w.wait_for(app, has_text(COMING), 30.0)
    print("---- staff-call screen: role | name | states ----")
    for n in nodes:
        if n.name:
            print(n.line())
    print("----")
    if not ok:
        w.fail(f"no {COMING!r} within 30 s of the call")
    print(f"atspi-lobby: after the desk's 「行きます」 the kiosk says {COMING!r}")


if __name__ == "__main__":
    main()
