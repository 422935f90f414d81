"""Free software on the computers: which tools, and how often their versions are updated.

By default every tool is installed on a computer with its own popularity.  With a
target number of events the number of tools per computer (and, when every tool is
already taken, the update rate) is steered so that the log reaches about that size.
"""
from __future__ import annotations

from workbook_tools.demo import catalog
from workbook_tools.demo.history import REQUEST, UNIFIED, Density, Generator, Seg
from workbook_tools.demo.people import Computer, days
from workbook_tools.demo.software import FREE, Software

REQUESTED_SHARE = 0.2    # tools installed later on a user's request rather than with the computer
UNINSTALL_SHARE = 0.04   # tools removed again on request
LATER_RELEASES = 1.2     # rough number of newer versions a tool meets after its installation


def weight(sw: Software, c: Computer, relaxed: bool = False) -> float:
    """How likely the tool is on the computer; `relaxed` lets department tools spread (dense benchmarks)."""
    tpl = sw.template
    assert isinstance(tpl, catalog.Free)
    share = tpl.popularity * (0.3 if c.kind == "服务器" else 1.0)
    if tpl.depts and c.dept not in tpl.depts:
        return share * 0.05 if relaxed else 0.0
    return share


def free_chain(g: Generator, c: Computer, sw: Software, update_rate: float) -> None:
    day, how = g.begin(c)
    if g.rng.random() < REQUESTED_SHARE:
        later = g.between(day, g.hi(c))
        if later is not None:
            day, how = later, REQUEST
    segs = [Seg(sw, sw.version_at(day), day, how)]
    for version, released in sw.releases:
        if released <= segs[-1].day or g.rng.random() >= update_rate:
            continue
        when = released + days(g.rng, 0, 90)
        if when <= segs[-1].day or when >= g.hi(c):
            break
        segs.append(Seg(sw, version, when, UNIFIED if g.rng.random() < 0.7 else REQUEST))
    end = None
    if g.rng.random() < UNINSTALL_SHARE:
        out = g.between(segs[-1].day, g.hi(c))
        end = (out, REQUEST) if out else None
    g.chain(c, segs, end)


def weighted_sample(g: Generator, options: list[tuple[float, Software]], k: int) -> list[Software]:
    """k tools without replacement, more popular ones more likely (Efraimidis–Spirakis keys)."""
    keyed = sorted(((g.rng.random() ** (1.0 / w), i) for i, (w, _) in enumerate(options)), reverse=True)
    return [options[i][1] for _, i in sorted(keyed[:k], key=lambda t: t[1])]


def by_popularity(g: Generator, computers: list[Computer], tools: list[Software], rate: float) -> None:
    for c in computers:
        for sw in tools:
            if g.rng.random() < weight(sw, c):
                free_chain(g, c, sw, rate)


def by_target(g: Generator, computers: list[Computer], tools: list[Software], density: Density) -> None:
    remaining = density.target - len(g.events)
    pairs, made, per_pair = 0, 0, 1.0 + 2 * density.update_rate * LATER_RELEASES
    for i, c in enumerate(computers):
        options = [(w, sw) for sw in tools if (w := weight(sw, c, relaxed=True)) > 0]
        want = max(0.0, remaining / (len(computers) - i) / per_pair)
        k = min(len(options), int(want) + (1 if g.rng.random() < want - int(want) else 0))
        rate = density.update_rate
        if options and want > len(options):  # every tool taken: update more often instead
            needed = want * per_pair / len(options)
            rate = min(1.0, max(rate, (needed - 1.0) / (2 * LATER_RELEASES)))
        before = len(g.events)
        for sw in weighted_sample(g, options, k):
            free_chain(g, c, sw, rate)
        remaining -= len(g.events) - before
        pairs, made = pairs + k, made + len(g.events) - before
        per_pair = made / pairs if pairs else per_pair


def add_free(g: Generator, computers: list[Computer], density: Density) -> None:
    tools = [sw for sw in g.software if sw.type == FREE]
    if not tools:
        return
    if density.target > 0:
        by_target(g, computers, tools, density)
    else:
        by_popularity(g, computers, tools, density.update_rate)

