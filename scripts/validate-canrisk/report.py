#!/usr/bin/env python3
"""Summarises bws_check.py and pedigreejs-check.mjs results as Markdown (stdout) and exits 0 when
the target holds: every family's estimated export (`*.estimated.*`) is accepted by the CanRisk
editor and by the CanRisk web service for every model and both incidence-rate sets, and every
negative control (controls.py: a defect of issue #16 put back) is caught.

Usage: report.py BWS_JSON PEDIGREEJS_JSON BWS_COMMIT PEDIGREEJS_COMMIT
"""

import json
import sys
from collections import OrderedDict

RUNS = [("BC", "UK"), ("BC", "USA"), ("OC", "UK"), ("OC", "USA"), ("PC", "UK"), ("PC", "USA")]


def refused(runs, model, rates):
    e = runs.get((model, rates))
    return e is not None and not e["accepted"], (e or {}).get("messages", [])


# control file -> (issue item, the defect, what must happen, check(runs, editor, hoxb13) -> (caught, observed))
CONTROLS = [
    (
        "control-menopause-y.canrisk4.txt",
        "1",
        "`##menopause=Y`",
        "the service refuses it",
        lambda runs, p, hox: refused(runs, "BC", "UK"),
    ),
    (
        "control-volpara-ethnicity.canrisk4.txt",
        "2",
        "Volpara with `##ethnicity=Black or Black British`",
        "the service refuses it",
        lambda runs, p, hox: refused(runs, "BC", "UK"),
    ),
    (
        "control-hoxb13-sp.canrisk4.txt",
        "3",
        "HOXB13 carriers written `S:P`",
        "the model receives a BRCA-style code instead of 6 (heterozygous)",
        lambda runs, p, hox: (
            any(not v.endswith("-> 6") for v in hox.values()),
            [f"{k} {v}" for k, v in hox.items()],
        ),
    ),
    (
        "control-male-ethnicity.canrisk4.txt",
        "4",
        "`##ethnicity=White` for a male target",
        "the prostate model refuses it",
        lambda runs, p, hox: refused(runs, "PC", "UK"),
    ),
    (
        "control-male-bc2.canrisk4.txt",
        "6",
        "a male relative's second breast cancer",
        "the editor changes the file on load",
        lambda runs, p, hox: (bool(p and p["differences"]), (p or {}).get("differences", [])),
    ),
    (
        "control-lone-no-parents.canrisk4.txt",
        "7",
        "a lone proband without parents",
        "the editor cannot open it",
        lambda runs, p, hox: (bool(p and not p["accepted"]), (p or {}).get("messages", [])),
    ),
]


def cell(entry):
    if entry is None:
        return "?"
    if not entry["accepted"]:
        return "**refused**"
    return "accepted" if entry.get("computed", True) else "accepted (model skips this target)"


def main():
    bws_path, pjs_path, bws_commit, pjs_commit = sys.argv[1:5]
    bws = json.load(open(bws_path))
    pjs = {e["file"]: e for e in json.load(open(pjs_path))}
    by_file = OrderedDict()
    hoxb13 = {}
    for e in bws:
        if e["model"] == "parse":
            hoxb13[e["file"]] = e["hoxb13_codes"]
            continue
        by_file.setdefault(e["file"], {})[(e["model"], e["cancer_rates"])] = e

    out = []
    out.append(f"Checkouts: CCGE-BOADICEA/bws `{bws_commit}`, CCGE-BOADICEA/pedigreejs `{pjs_commit}`.")
    out.append("")
    header = "| file | editor (pedigreejs) | " + " | ".join(f"bws {m} {r}" for m, r in RUNS) + " |"
    out.append(header)
    out.append("|" + "---|" * (2 + len(RUNS)))
    target_ok = True
    details = []
    control_files = {c[0] for c in CONTROLS}
    for f, runs in by_file.items():
        if f in control_files:
            continue
        p = pjs.get(f)
        editor = "?" if p is None else ("accepted" if p["accepted"] else "**refused**")
        if p is not None and p["accepted"] and p["differences"]:
            editor = "accepted, fields changed"
        row = [f"`{f}`", editor] + [cell(runs.get(k)) for k in RUNS]
        out.append("| " + " | ".join(row) + " |")
        if ".estimated." in f:
            if p is None or not p["accepted"] or p["differences"]:
                target_ok = False
            if any(runs.get(k) is None or not runs[k]["accepted"] for k in RUNS):
                target_ok = False
        msgs = OrderedDict()
        for (m, r), e in runs.items():
            for msg in e["messages"]:
                msgs.setdefault("refused: " + msg, []).append(f"{m} {r}")
            for w in e["warnings"]:
                msgs.setdefault("warning: " + w, []).append(f"{m} {r}")
        lines = [f"- bws ({', '.join(v)}) {k}" for k, v in msgs.items()]
        if p is not None:
            lines += [f"- editor: {m}" for m in p["messages"]]
            lines += [f"- editor changed {d}" for d in p["differences"]]
        codes = hoxb13.get(f) or {}
        if codes:
            lines.append(
                "- HOXB13 as the model receives it: "
                + ", ".join(f"{k} {v}" for k, v in codes.items())
            )
        if lines:
            details.append(f"`{f}`:")
            details.extend(lines)
    out.append("")
    out.extend(details)
    out.append("")
    out.append(
        "Negative controls (an export with one defect of issue #16 put back; each must be caught, "
        "or the checks above prove nothing):"
    )
    out.append("")
    out.append("| item | defect put back | expected | caught | observed |")
    out.append("|---|---|---|---|---|")
    controls_ok = True
    for name, item, defect, expected, check in CONTROLS:
        runs = by_file.get(name, {})
        caught, observed = check(runs, pjs.get(name), hoxb13.get(name) or {})
        controls_ok &= bool(caught)
        text = "; ".join(observed)[:220].replace("|", "/") or "-"
        out.append(f"| {item} | {defect} | {expected} | {'yes' if caught else '**NO**'} | {text} |")
    out.append("")
    if not controls_ok:
        target_ok = False
        out.append("**A control was not caught: the validation itself is broken.**")
        out.append("")
    verdict = "MET" if target_ok else "NOT MET"
    out.append(
        f"Target (every `*.estimated.*` file accepted by the editor without changes and by the "
        f"service for every model and both rate sets; every control caught): **{verdict}**."
    )
    print("\n".join(out))
    sys.exit(0 if target_ok else 1)


if __name__ == "__main__":
    main()
