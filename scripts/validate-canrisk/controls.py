#!/usr/bin/env python3
"""Negative controls for the CanRisk validation: copies of genascope's exports with one defect of
issue #16 put back (what the exporter wrote before it was fixed). Each must be caught by the
CanRisk code, or the validation proves nothing. report.py checks the expected outcome of each.

Usage: controls.py FILES_DIR   (writes FILES_DIR/control-*.canrisk4.txt, prints their paths)
"""

import os
import sys


def read(d, name):
    with open(os.path.join(d, name), encoding="utf-8") as f:
        return f.read().splitlines()


def write(d, name, lines):
    path = os.path.join(d, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(path)


def insert_before_columns(lines, line):
    i = next(i for i, l in enumerate(lines) if l.startswith("##FamID"))
    return lines[:i] + [line] + lines[i:]


def set_col(lines, indiv, col, value):
    header = next(l for l in lines if l.startswith("##FamID")).replace("##", "").split("\t")
    k = header.index(col)
    out = []
    for l in lines:
        cols = l.split("\t")
        if not l.startswith("##") and len(cols) > 3 and cols[3] == indiv:
            cols[k] = value
            l = "\t".join(cols)
        out.append(l)
    return out


def main():
    d = sys.argv[1]
    lone = read(d, "lone_postmenopausal.estimated.canrisk4.txt")
    male = read(d, "male_prostate_hoxb13.estimated.canrisk4.txt")
    # 1. `##menopause=Y` (post-menopausal, age unknown).
    write(d, "control-menopause-y.canrisk4.txt", insert_before_columns(lone, "##menopause=Y"))
    # 2. Volpara density with a non-White ethnicity.
    write(
        d,
        "control-volpara-ethnicity.canrisk4.txt",
        insert_before_columns(lone, "##ethnicity=Black or Black British"),
    )
    # 3. HOXB13 carriers as S:P.
    write(d, "control-hoxb13-sp.canrisk4.txt", [l.replace("T:HET", "S:P") for l in male])
    # 4. An ethnicity line for a male target.
    write(d, "control-male-ethnicity.canrisk4.txt", insert_before_columns(male, "##ethnicity=White"))
    # 6. A male relative's second breast cancer.
    write(d, "control-male-bc2.canrisk4.txt", set_col(male, "FA", "BC2", "76"))
    # 7. A lone proband without placeholder parents.
    no_parents = [
        l
        for l in set_col(set_col(lone, "PB", "FathID", "0"), "PB", "MothID", "0")
        if l.startswith("##") or l.split("\t")[3] not in ("FA", "MO")
    ]
    write(d, "control-lone-no-parents.canrisk4.txt", no_parents)


if __name__ == "__main__":
    main()
