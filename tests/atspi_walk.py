#!/usr/bin/python3
"""A screen reader's view of the kiosk, through a real AT-SPI client (pyatspi).

Run by .ci/atspi-check inside a private D-Bus session with the accessibility bus enabled and
the kiosk started. Finds the kiosk on the AT-SPI desktop, prints its tree, checks the attract
screen (named buttons for every control, the three language buttons, 「はじめる」, no ruby
markup in any name), activates 「はじめる」 through the Action interface as a screen reader
would, and waits for the consent screen (「はじめる」 and 「やめる」).

AccessKit updates the tree asynchronously and this client runs no event loop, so every poll
re-fetches the desktop's children and drops libatspi's cache instead of trusting it.
"""

import sys
import time

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402
from gi.repository import GLib  # noqa: E402
import pyatspi  # noqa: E402

# libatspi 2.46 (Debian 12) warns, once per signal, about a cache signal whose body is not the
# one struct it wants: AccessKit's RemoveAccessible (left so on purpose), and AddAccessible
# only if the build lost its patch (.cargo/patches/README.md). Counted, not flooding the log.
IGNORED_SIGNALS = {"AddAccessible": 0, "RemoveAccessible": 0}


def _dbind_log(domain, level, message, *_):
    if "signature" in (message or ""):
        kind = "AddAccessible" if "AddAccessible" in message else "RemoveAccessible"
        IGNORED_SIGNALS[kind] += 1
    else:
        print(f"({domain}) {message}", file=sys.stderr)


GLib.log_set_handler("dbind", GLib.LogLevelFlags.LEVEL_WARNING | GLib.LogLevelFlags.LEVEL_CRITICAL,
                     _dbind_log, None)

# Bounded waits; together (20 + 8 + 8 + 10 s) they fit in .ci/atspi-check's 55 s.
APP_TIMEOUT = 20.0
SCREEN_TIMEOUT = 8.0
CONSENT_TIMEOUT = 10.0
MAX_NODES = 3000
MAX_DEPTH = 60
TITLE = "働きたい!!"
# AccessKit/Slint give plain buttons "push button", the checkable ones (language, text size)
# "radio button", and the read-aloud switch "toggle button": all are buttons to a visitor.
BUTTON_ROLES = {"push button", "button", "toggle button", "radio button"}


def fail(msg):
    print(f"atspi: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def safe(f, default=None):
    try:
        return f()
    except Exception:  # a node may go away between two calls: AT-SPI is asynchronous
        return default


def uncached(acc, app=False):
    """Make libatspi ask the application again rather than answer from its cache."""
    if app:  # the cache mask is per application; libatspi accepts it only on the app node
        safe(lambda: Atspi.Accessible.set_cache_mask(acc, Atspi.Cache.NONE))
    safe(lambda: acc.clear_cache())
    return acc


def children(acc):
    n = safe(lambda: acc.childCount, 0) or 0
    out = []
    for i in range(n):
        c = safe(lambda: acc.getChildAtIndex(i))
        if c is not None:
            out.append(c)
    return out


def states(acc):
    st = safe(lambda: acc.getState().getStates(), []) or []
    names = []
    for s in st:
        name = safe(lambda: pyatspi.stateToString(s)) or getattr(s, "value_nick", str(s))
        names.append(str(name).replace("_", "-"))
    return names


class Node:
    def __init__(self, acc, depth):
        self.acc = acc
        self.depth = depth
        self.role = safe(lambda: acc.getRoleName(), "?") or "?"
        self.name = safe(lambda: acc.name, "") or ""
        self.states = states(acc)

    def is_button(self):
        return self.role in BUTTON_ROLES

    def line(self):
        return f"{'  ' * self.depth}{self.role} | {self.name} | {' '.join(self.states)}"


def walk(root):
    """Depth-first, bounded, cycle-safe; returns [Node]."""
    out = []
    seen = set()
    stack = [(root, 0)]
    while stack and len(out) < MAX_NODES:
        acc, depth = stack.pop()
        key = safe(lambda: (acc.get_bus_name(), acc.get_path()), None) or id(acc)
        if key in seen:
            continue
        seen.add(key)
        uncached(acc)
        out.append(Node(acc, depth))
        if depth < MAX_DEPTH:
            for c in reversed(children(acc)):
                stack.append((c, depth + 1))
    return out


def desktop_apps():
    desktop = uncached(pyatspi.Registry.getDesktop(0))
    return [uncached(a, app=True) for a in children(desktop)]


def is_kiosk(app):
    name = safe(lambda: app.name, "") or ""
    if "hatarakitai" in name.lower():
        return True
    return any((safe(lambda: w.name, "") or "") == TITLE for w in children(app))


def find_kiosk():
    deadline = time.monotonic() + APP_TIMEOUT
    seen = []
    while time.monotonic() < deadline:
        apps = desktop_apps()
        seen = [safe(lambda: a.name, "?") or "?" for a in apps]
        for app in apps:
            if is_kiosk(app):
                return app
        time.sleep(0.25)
    fail(f"no application named *hatarakitai* or with a window {TITLE!r} on the AT-SPI "
         f"desktop within {APP_TIMEOUT:.0f} s; applications seen: {seen or 'none'}")


def button_names(nodes):
    return [n.name for n in nodes if n.is_button()]


def wait_for(app, pred, timeout):
    """Re-walk the tree until pred(nodes) holds and two walks in a row agree (AccessKit sends
    a change over several updates: right after an action the tree can be half old, half new);
    returns (nodes, ok). ok needs only pred if the tree is still changing at the deadline."""
    deadline = time.monotonic() + timeout
    nodes = walk(app)
    prev = None
    while time.monotonic() < deadline:
        lines = [n.line() for n in nodes]
        if pred(nodes) and lines == prev:
            return nodes, True
        prev = lines if pred(nodes) else None
        time.sleep(0.2)
        nodes = walk(app)
    return nodes, pred(nodes)


def attract_ready(nodes):
    names = button_names(nodes)
    return (any("はじめる" in b for b in names)
            and any("English" in b for b in names)
            and not any("やめる" in b for b in names))


def consent_ready(nodes):
    names = button_names(nodes)
    return any("やめる" in b for b in names) and any("はじめる" in b for b in names)


def check_attract(nodes, where):
    """Every button named, the four wanted buttons present, no ruby markup in any name."""
    problems = []
    buttons = [n for n in nodes if n.is_button()]
    unnamed = [n for n in buttons if not n.name.strip()]
    if unnamed:
        problems.append(f"{len(unnamed)} button(s) without a name: "
                        + "; ".join(n.line().strip() for n in unnamed))
    names = [b.name for b in buttons]
    for want in ("はじめる", "日本語", "やさしい", "English"):
        if not any(want in b for b in names):
            problems.append(f"no button whose name contains {want!r} (buttons: {names})")
    leaked = [n for n in nodes if "{" in n.name or "|" in n.name]
    if leaked:
        problems.append("ruby markup in names: " + "; ".join(repr(n.name) for n in leaked))
    if problems:
        fail(f"attract screen ({where}):\n  " + "\n  ".join(problems))


def activate(node):
    """Press a button the way a screen reader does: Action interface, action 0."""
    action = safe(lambda: node.acc.queryAction())
    if action is None:
        fail(f"button {node.name!r} has no Action interface")
    count = safe(lambda: action.nActions, 0) or 0
    acts = [safe(lambda i=i: action.getName(i), "?") for i in range(count)]
    print(f"atspi: activating {node.role} {node.name!r} via Action 0 (actions: {acts})")
    if not acts:
        fail(f"button {node.name!r} offers no actions")
    if not safe(lambda: action.doAction(0), False):
        fail(f"doAction(0) on {node.name!r} returned false")


def find_button(nodes, text):
    return next((n for n in nodes if n.is_button() and text in n.name), None)


def main():
    app = find_kiosk()
    print(f"atspi: found application {safe(lambda: app.name, '?')!r}")

    # The first tree may still be arriving: wait (bounded) until the attract screen is whole.
    nodes, ok = wait_for(app, attract_ready, SCREEN_TIMEOUT)
    print("---- attract screen: role | name | states ----")
    for n in nodes:
        print(n.line())
    print("----")
    if not ok:
        fail(f"the attract screen never showed buttons 「はじめる」 and English; "
             f"buttons seen: {button_names(nodes)}")
    attract_count = len(nodes)
    check_attract(nodes, "start language")

    # The start language has no readings, so also look at やさしいにほんご, whose texts carry
    # {漢字|かんじ} ruby markup that must never reach a name.
    easy = find_button(nodes, "やさしい")
    if easy is not None and "checked" not in easy.states:
        activate(easy)
        nodes, ok = wait_for(app, lambda ns: "checked" in getattr(
            find_button(ns, "やさしい"), "states", []) and attract_ready(ns), SCREEN_TIMEOUT)
        if not ok:
            fail(f"やさしいにほんご never became checked; buttons: {button_names(nodes)}")
        check_attract(nodes, "やさしいにほんご")
        print(f"atspi: やさしいにほんご: {len(nodes)} nodes, no ruby markup in any name")

    start = find_button(nodes, "はじめる")
    activate(start)
    nodes, ok = wait_for(app, consent_ready, CONSENT_TIMEOUT)
    shown = button_names(nodes)
    if not ok:
        for n in nodes:
            print(n.line())
        fail(f"no consent screen (「はじめる」 + 「やめる」) within {CONSENT_TIMEOUT:.0f} s "
             f"of activating {start.name!r}; buttons now: {shown}")
    leaked = [n.name for n in nodes if "{" in n.name or "|" in n.name]
    if leaked:
        fail(f"ruby markup in names on the consent screen: {leaked}")
    consent = [b for b in shown if "はじめる" in b or "やめる" in b]
    if any(IGNORED_SIGNALS.values()):
        print(f"atspi: note: libatspi refused AccessKit's cache signals: "
              f"{IGNORED_SIGNALS['AddAccessible']} AddAccessible, "
              f"{IGNORED_SIGNALS['RemoveAccessible']} RemoveAccessible")
    print(f"atspi: {attract_count} nodes on attract, activated はじめる, "
          f"consent shows: [{', '.join(consent)}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
