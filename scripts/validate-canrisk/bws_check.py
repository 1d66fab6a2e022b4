#!/usr/bin/env python3
"""Runs CanRisk files through the CanRisk web service's own request handling, from a checkout of
CCGE-BOADICEA/bws (GPL-3.0). The checkout is imported from where it lies; nothing of it is copied
into genascope.

What runs is bws's real view (`BwsView` / `OwsView` / `PwsView`, `ModelWebServiceMixin.post_to_model`):
the request serializer, `PedigreeFile` (header, risk factors, columns), `Pedigree.validateAll`
(people, cancers, pathology, genetic tests, connectedness, target checks), the ethnicity / incidence
rate checks, and `Predictions` up to the model run: the Fortran input files are written exactly as
for a real calculation (that is where HOXB13 codes, density codes and risk-factor codes are
encoded). Only the model executables themselves are not run: the BOADICEA / ovarian / prostate
Fortran programs are not public. A stand-in process answers in their place with an empty result,
so a file "accepted" here is one the service would hand to the models.

Usage: bws_check.py BWS_DIR FILE... > results.json
Prints a JSON list: one entry per file, model and incidence rates:
{"file", "model", "cancer_rates", "status", "accepted", "computed", "messages": [...],
 "warnings": [...]}, plus one {"file", "model": "parse", "hoxb13_codes"} entry per file: the code
each HOXB13 result reaches the model as (bws GeneticTest.get_genetic_test_data: 6 = heterozygous,
7 = homozygous, 2 = no variant; BRCA-style codes 0-3 mean the result was misread).
"""

import json
import os
import sys
import tempfile
import traceback


def setup(bws_dir):
    sys.path.insert(0, os.path.abspath(bws_dir))
    import django
    from django.conf import settings

    import bws.settings as bws_settings

    conf = {k: getattr(bws_settings, k) for k in dir(bws_settings) if k.isupper()}
    conf.update(
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "rest_framework",
            "bws",
        ],
        DATABASES={},
        SECRET_KEY="genascope-validate-canrisk",
        CWD_DIR=tempfile.gettempdir(),
        USE_I18N=True,
        LOGGING_CONFIG=None,
        # Read by bws/serializers.py for a help text only; the CanRisk site's project settings
        # (not in the bws repository) define it.
        CANRISK_FILE_FORMAT=4,
    )
    settings.configure(**conf)
    django.setup()
    # bws logs every refusal at ERROR level as well; the results carry the messages.
    import logging

    logging.disable(logging.CRITICAL)


class StandInModel:
    """Answers for the Fortran model executables (not public): exit 0, an empty result file."""

    calls = []

    def __init__(self, cmd, cwd=None, **_kwargs):
        StandInModel.calls.append(cmd)
        if "-o" in cmd:
            out = cmd[cmd.index("-o") + 1]
            with open(os.path.join(cwd, out), "w"):
                pass

    def communicate(self, timeout=None):
        return (b"stand-in (BOADICEA executables are not public)\n", b"")

    def wait(self):
        return 0

    def terminate(self):
        pass


class Clinician:
    """An authenticated CanRisk user with the `can_risk` permission."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    pk = 1
    id = 1

    def has_perm(self, perm, obj=None):
        return True

    def __str__(self):
        return "validate"


def flatten(detail):
    """DRF error details (dicts, lists, strings) as plain strings."""
    if isinstance(detail, dict):
        out = []
        for k, v in detail.items():
            out.extend(f"{k}: {m}" for m in flatten(v))
        return out
    if isinstance(detail, (list, tuple)):
        out = []
        for v in detail:
            out.extend(flatten(v))
        return out
    return [str(detail)]


def run(path, view, model, cancer_rates):
    from rest_framework.test import APIRequestFactory, force_authenticate

    with open(path, encoding="utf-8") as f:
        text = f.read()
    request = APIRequestFactory().post(
        "/" + model.lower() + "/",
        {
            "user_id": "validate-canrisk",
            "pedigree_data": text,
            "cancer_rates": cancer_rates,
            "mut_freq": "UK",
        },
        format="json",
    )
    force_authenticate(request, user=Clinician())
    entry = {"file": os.path.basename(path), "model": model, "cancer_rates": cancer_rates}
    try:
        response = view(request)
        if hasattr(response, "render"):
            response.render()
        body = json.loads(response.content or b"null")
        entry["status"] = response.status_code
        entry["accepted"] = response.status_code == 200 and not (body or {}).get("errors")
        if response.status_code == 200:
            entry["messages"] = (body or {}).get("errors", [])
            # "<result> not provided" only says that the stand-in model returned no numbers.
            entry["warnings"] = [
                w for w in (body or {}).get("warnings", []) if not w.endswith(" not provided")
            ]
            results = (body or {}).get("pedigree_result", [])
            entry["computed"] = len(results) > 0
        else:
            entry["messages"] = flatten(body)
            entry["warnings"] = []
    except Exception as e:  # a crash of the service is a refusal too
        entry.update(
            status=500,
            accepted=False,
            messages=[f"{type(e).__name__}: {e}"],
            warnings=[],
            trace=traceback.format_exc().splitlines()[-3:],
        )
    return entry


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    # bws prints some parse errors to stdout (risk_factors/rfs.py): keep stdout for the JSON.
    real_stdout = sys.stdout
    sys.stdout = sys.stderr
    setup(sys.argv[1])
    import bws.calc.calcs as calcs
    from bws.rest_api import BwsView, OwsView, PwsView

    calcs.Popen = StandInModel
    views = [
        ("BC", BwsView.as_view()),
        ("OC", OwsView.as_view()),
        ("PC", PwsView.as_view()),
    ]
    from bws.pedigree_file import PedigreeFile

    results = []
    for path in sys.argv[2:]:
        codes = {}
        try:
            with open(path, encoding="utf-8") as f:
                for ped in PedigreeFile(f.read()).pedigrees:
                    for p in ped.people:
                        t = getattr(p.gtests, "hoxb13", None)
                        if t is not None and t.result != "0":
                            codes[p.pid] = f"{t.test_type}:{t.result} -> {t.get_genetic_test_data()}"
        except Exception as e:  # reported by the view runs below
            codes = {"error": f"{type(e).__name__}: {e}"}
        results.append({"file": os.path.basename(path), "model": "parse", "hoxb13_codes": codes})
        for model, view in views:
            for rates in ("UK", "USA"):
                results.append(run(path, view, model, rates))
    json.dump(results, real_stdout, indent=1)
    print(file=real_stdout)


if __name__ == "__main__":
    main()
