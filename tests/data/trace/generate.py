"""Writes the invented tracing corpus in this folder (run: python generate.py).

EVERY outlet, person and event here is invented. The corpus exercises claim tracing:

- Claim A, "the dam was sabotaged": first reported by the Vorsk Herald through a
  five-hop chain ending with anonymous engineers; relayed by 20 outlets citing the
  Herald (and one second-level relay of relay 5); denied by the ministry six hours
  after the first report. One origin carried by 22 articles: single-source.
- Claim B, "fish stocks collapsed": a university lab, then independently the
  fishermen's union (relayed once more): two independent origins.
- Claim C, "the mayor resigned": Alpha News and Beta Daily cite each other, and a
  Gamma Wire chain goes Alpha > Beta > Alpha: circular reporting.
"""

from __future__ import annotations

from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
HEADER = "# INVENTED article for claimsdb's tracing tests; no outlet or event here is real.\n"


def actor(key, name, kind, identified="named"):
    data = {"key": key, "name": name, "kind": kind}
    if identified != "named":
        data["identified"] = identified
    return data


def write(name, article, actors, statements):
    document = {"format": "claimsdb/article@1", "article": article, "actors": actors,
                "statements": statements}
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
    (HERE / f"{name}.yaml").write_text(HEADER + text, encoding="utf-8")


def claim_a():
    hops = [("harbour-gazette", "Harbour Gazette", "outlet", "named", "citing"),
            ("regional-radio", "Regional Radio", "outlet", "named", "reported"),
            ("ministry-press-office", "Ministry press office", "organization", "named",
             "according to"),
            ("deputy-minister", "A deputy minister", "person", "role", "said"),
            ("anonymous-engineers", "Engineers who asked not to be named", "group",
             "anonymous", "told")]
    write("a00-vorsk-herald-dam", {
        "key": "vorsk-herald-dam", "title": "Dam sabotaged, officials say",
        "outlet": "vorsk-herald", "published": "2025-05-01T08:00:00+00:00",
        "text": "Citing Regional Radio, the Harbour Gazette reported that, according to the "
                "ministry press office, a deputy minister said engineers told him the dam "
                "was sabotaged.",
    }, [actor("vorsk-herald", "Vorsk Herald", "outlet"),
        *(actor(k, n, kind, ident) for k, n, kind, ident, _ in hops)],
        [{"key": "dam-sabotaged", "quote": "the dam was sabotaged",
          "chain": [{"actor": k, "cue": cue} for k, _, _, _, cue in hops]}])
    for i in range(1, 21):
        minutes = 9 * 60 + 30 * i
        write(f"a{i:02d}-relay-{i:02d}", {
            "key": f"relay-{i:02d}-dam", "title": f"Relay {i}: dam sabotage claim",
            "outlet": f"relay-outlet-{i:02d}",
            "published": f"2025-05-01T{minutes // 60:02d}:{minutes % 60:02d}:00+00:00",
            "text": "According to the Vorsk Herald, engineers say the dam was sabotaged.",
        }, [actor(f"relay-outlet-{i:02d}", f"Relay Outlet {i}", "outlet")],
            [{"key": "dam-sabotaged", "quote": "the dam was sabotaged",
              "chain": [{"actor": "vorsk-herald", "cue": "according to"},
                        {"actor": "anonymous-engineers", "cue": "say"}],
              "repeats": ["vorsk-herald-dam#dam-sabotaged"]}])
    write("a21-second-level-relay", {
        "key": "second-level-dam", "title": "Dam claim, third hand",
        "outlet": "echo-digest", "published": "2025-05-02",
        "text": "Relay Outlet 5 reports, citing the Herald's engineers, that the dam was "
                "sabotaged.",
    }, [actor("echo-digest", "Echo Digest", "outlet")],
        [{"key": "dam-sabotaged", "quote": "the dam was sabotaged",
          "chain": [{"actor": "relay-outlet-05", "cue": "reports"},
                    {"actor": "vorsk-herald", "cue": "citing"},
                    {"actor": "anonymous-engineers"}],
          "repeats": ["relay-05-dam#dam-sabotaged"]}])
    write("a22-ministry-denial", {
        "key": "ministry-denial", "title": "Ministry: no sabotage",
        "outlet": "vorsk-herald", "published": "2025-05-01T14:00:00+00:00",
        "text": "The ministry spokesperson said reports of sabotage were “entirely false”.",
    }, [actor("ministry-spokesperson", "Ministry spokesperson", "person", "role")],
        [{"key": "no-sabotage", "quote": "entirely false", "kind": "direct",
          "chain": [{"actor": "ministry-spokesperson", "cue": "said"}],
          "denies": ["vorsk-herald-dam#dam-sabotaged"]}])


def claim_b():
    write("b01-lake-science", {
        "key": "lake-science-fish", "title": "Fish stocks collapse in Lake Vorsk",
        "outlet": "lake-science-weekly", "published": "2025-04-10",
        "text": "The university lab found that fish stocks collapsed last year.",
    }, [actor("lake-science-weekly", "Lake Science Weekly", "outlet"),
        actor("university-lab", "Vorsk University Lab", "organization")],
        [{"key": "fish-collapse", "quote": "fish stocks collapsed",
          "chain": [{"actor": "university-lab", "cue": "found"}]}])
    write("b02-north-post", {
        "key": "north-post-fish", "title": "Fishermen: the lake is empty",
        "outlet": "north-post", "published": "2025-04-12",
        "text": "The fishermen's union said fish stocks collapsed, as scientists found.",
    }, [actor("north-post", "North Post", "outlet"),
        actor("fishermen-union", "Fishermen's Union", "organization")],
        [{"key": "fish-collapse", "quote": "fish stocks collapsed",
          "chain": [{"actor": "fishermen-union", "cue": "said"}],
          "repeats": ["lake-science-fish#fish-collapse"]}])
    write("b03-river-times", {
        "key": "river-times-fish", "title": "Union confirms collapse",
        "outlet": "river-times", "published": "2025-04-13",
        "text": "The North Post quotes the union: fish stocks collapsed.",
    }, [actor("river-times", "River Times", "outlet")],
        [{"key": "fish-collapse", "quote": "fish stocks collapsed",
          "chain": [{"actor": "north-post", "cue": "quotes"},
                    {"actor": "fishermen-union"}],
          "repeats": ["north-post-fish#fish-collapse"]}])


def claim_c():
    write("c01-alpha-news", {
        "key": "alpha-news-mayor", "title": "Mayor resigns",
        "outlet": "alpha-news", "published": "2025-06-01",
        "text": "According to Beta Daily, the mayor resigned.",
    }, [actor("alpha-news", "Alpha News", "outlet"), actor("beta-daily", "Beta Daily", "outlet")],
        [{"key": "mayor-resigned", "quote": "the mayor resigned",
          "chain": [{"actor": "beta-daily", "cue": "according to"}]}])
    write("c02-beta-daily", {
        "key": "beta-daily-mayor", "title": "Mayor out",
        "outlet": "beta-daily", "published": "2025-06-01",
        "text": "According to Alpha News, the mayor resigned.",
    }, [], [{"key": "mayor-resigned", "quote": "the mayor resigned",
             "chain": [{"actor": "alpha-news", "cue": "according to"}],
             "repeats": ["alpha-news-mayor#mayor-resigned"]}])
    write("c03-gamma-wire", {
        "key": "gamma-wire-mayor", "title": "Mayor: the story so far",
        "outlet": "gamma-wire", "published": "2025-06-02",
        "text": "Alpha News, citing Beta Daily, which cites Alpha News, says the mayor resigned.",
    }, [actor("gamma-wire", "Gamma Wire", "outlet")],
        [{"key": "mayor-resigned", "quote": "the mayor resigned",
          "chain": [{"actor": "alpha-news", "cue": "says"},
                    {"actor": "beta-daily", "cue": "citing"},
                    {"actor": "alpha-news", "cue": "cites"}],
          "repeats": ["beta-daily-mayor#mayor-resigned"]}])


if __name__ == "__main__":
    for old in HERE.glob("*.yaml"):
        old.unlink()
    claim_a()
    claim_b()
    claim_c()
