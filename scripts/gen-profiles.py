#!/usr/bin/env python3
"""Write N varied RiskProfile JSON lines to stdout (deterministic for a given seed).

Usage: scripts/gen-profiles.py 100000 [seed] > /tmp/profiles.jsonl
       genascope assess --batch < /tmp/profiles.jsonl > /tmp/assessments.jsonl

About 1 % of lines are deliberately invalid (a negative age, an unknown cancer type, broken
JSON) so the batch error path is exercised too. Families range from none to ~25 relatives.
"""
import json
import random
import sys

RELATIONS = [
    "mother", "father", "sister", "brother", "daughter", "son",
    "maternal_half_sister", "maternal_half_brother", "paternal_half_sister",
    "paternal_half_brother", "maternal_grandmother", "maternal_grandfather",
    "paternal_grandmother", "paternal_grandfather", "maternal_aunt", "maternal_uncle",
    "paternal_aunt", "paternal_uncle", "niece", "nephew", "granddaughter", "grandson",
    "maternal_cousin", "paternal_cousin", "maternal_great_grandmother",
    "paternal_great_grandmother", "maternal_great_aunt", "paternal_great_aunt",
]
UNIQUE = {"mother", "father", "maternal_grandmother", "maternal_grandfather",
          "paternal_grandmother", "paternal_grandfather"}
MALE = {"father", "brother", "son", "maternal_half_brother", "paternal_half_brother",
        "maternal_grandfather", "paternal_grandfather", "maternal_uncle", "paternal_uncle",
        "nephew", "grandson"}
OLDER = {"mother": 25, "father": 25, "maternal_grandmother": 45, "maternal_grandfather": 45,
         "paternal_grandmother": 45, "paternal_grandfather": 45,
         "maternal_great_grandmother": 65, "paternal_great_grandmother": 65}
YOUNGER = {"daughter": 20, "son": 20, "granddaughter": 40, "grandson": 40}
ETHNICITIES = ["white", "black", "hispanic_us_born", "hispanic_foreign_born", "chinese",
               "japanese", "filipino", "hawaiian", "other_pacific_islander", "other_asian",
               "american_indian", "other", "unknown"]
OTHER_SITES = ["colorectal", "endometrial", "gastric", "melanoma", "thyroid", "kidney", "other"]


def cancer(r, sex, age):
    """One cancer diagnosed at or before `age`."""
    if age < 1:
        return None
    dx = r.randint(max(1, min(age, 20)), age) if r.random() < 0.9 else None
    roll = r.random()
    if sex == "male":
        site = "prostate" if roll < 0.5 else ("breast" if roll < 0.6 else
                                            ("pancreatic" if roll < 0.75 else
                                             r.choice([s for s in OTHER_SITES if s != "endometrial"])))
    else:
        site = "breast" if roll < 0.6 else ("ovarian" if roll < 0.75 else
                                          ("pancreatic" if roll < 0.8 else r.choice(OTHER_SITES)))
    c = {"type": site, "age_at_diagnosis": dx}
    if site == "breast" and r.random() < 0.4:
        c.update({"bilateral": r.random() < 0.1, "invasive": r.random() < 0.9,
                  "histology": r.choice(["ductal", "lobular", "other"]),
                  "grade": r.randint(1, 3)})
        if r.random() < 0.5:
            c["er"] = r.choice(["positive", "negative"])
            c["her2"] = r.choice(["positive", "negative"])
    if site == "prostate" and r.random() < 0.5:
        c["prostate_risk_group"] = r.choice(["low", "intermediate", "high", "very_high"])
    return c


def profile(r):
    sex = "female" if r.random() < 0.9 else "male"
    age = r.randint(18, 90)
    p = {"sex": sex, "age": age}
    if r.random() < 0.8:
        p["ethnicity"] = r.choice(ETHNICITIES)
    if r.random() < 0.7:
        p["ashkenazi_jewish"] = r.random() < 0.08
    if sex == "female":
        if r.random() < 0.8:
            p["menarche_age"] = r.randint(9, min(16, age))
        births = r.choice([0, 0, 1, 2, 2, 3, None])
        p["live_births"] = births
        if births and age >= 20 and r.random() < 0.8:
            p["first_live_birth_age"] = r.randint(max(18, p.get("menarche_age", 9)), min(age, 40))
        if age >= 55:
            p["menopause_status"] = "post"
            if r.random() < 0.6:
                p["menopause_age"] = r.randint(45, 54)
        elif age < 45:
            p["menopause_status"] = "pre"
        else:
            p["menopause_status"] = r.choice(["pre", "peri", "post", "unknown"])
        if r.random() < 0.6:
            p["height_cm"] = r.randint(150, 185)
            p["weight_kg"] = r.randint(45, 110)
        b = r.choice([0, 0, 0, 1, 2, None])
        p["breast_biopsies"] = b
        if b:
            p["hyperplasia"] = r.choice(["none", "hyperplasia", "atypical", "unknown"])
        if r.random() < 0.5:
            p["lcis"] = False
            p["chest_radiation"] = r.random() < 0.01
        if r.random() < 0.3:
            p["hrt"] = {"status": r.choice(["never", "current", "former_over_5y"]),
                        "type": None, "years_used": None}
            if p["hrt"]["status"] != "never":
                p["hrt"]["type"] = r.choice(["estrogen_only", "combined"])
                p["hrt"]["years_used"] = r.randint(1, 5)
        if r.random() < 0.3:
            p["breast_density"] = {"method": "birads", "value": r.choice("abcd")}
    p["cancers"] = [c for c in (cancer(r, sex, age) for _ in range(r.choice([0] * 6 + [1, 1, 2])))
                    if c]
    if r.random() < 0.15:
        p["genetic_tests"] = [{"gene": r.choice(["BRCA1", "BRCA2", "PALB2", "TP53"]),
                               "result": r.choice(["negative", "vus", "pathogenic"])}]
    relatives = []
    used = set()
    for _ in range(r.choice([0, 1, 2, 3, 4, 6, 8, 12, 25])):
        rel = r.choice(RELATIONS)
        if rel in UNIQUE and rel in used:
            continue
        used.add(rel)
        if rel in OLDER:
            rage = min(110, age + OLDER[rel] + r.randint(0, 10))
            alive = r.random() < 0.5
        elif rel in YOUNGER:
            if age - YOUNGER[rel] < 1:
                continue
            rage = r.randint(0, age - YOUNGER[rel])
            alive = True
        else:
            rage = r.randint(max(0, age - 30), min(110, age + 30))
            alive = r.random() < 0.7
        x = {"relation": rel, "alive": alive}
        rsex = "male" if rel in MALE else "female"
        if rel.endswith("cousin"):
            if r.random() < 0.8:
                rsex = r.choice(["female", "male"])
                x["sex"] = rsex
            else:
                rsex = "female"
        if r.random() < 0.85:
            x["age"] = rage
        if r.random() < 0.35:
            c = cancer(r, rsex, rage)
            if c:
                x["cancers"] = [c]
        relatives.append(x)
    return {"proband": p, "relatives": relatives}


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    r = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 2026)
    out = sys.stdout
    for i in range(n):
        roll = r.random()
        if roll < 0.003:
            out.write('{"proband": {"age": 40, "sex": "female"\n')  # broken JSON
            continue
        p = profile(r)
        if roll < 0.006:
            p["proband"]["age"] = -1
        elif roll < 0.01:
            p["proband"]["cancers"] = [{"type": "spleen"}]
        out.write(json.dumps(p, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
