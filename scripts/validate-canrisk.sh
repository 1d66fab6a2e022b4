#!/usr/bin/env bash
# Runs genascope's CanRisk v4 exports of the golden-file families
# (crates/domain/tests/fixtures/export/families/*.json) through CanRisk's own open-source code:
#
#   - the CanRisk web service's request handling and validators, from a checkout of
#     CCGE-BOADICEA/bws (scripts/validate-canrisk/bws_check.py; the model executables themselves
#     are not public, so a stand-in answers where bws would start them), for the breast, ovarian
#     and prostate models with UK and USA incidence rates;
#   - the CanRisk pedigree editor, from a checkout of CCGE-BOADICEA/pedigreejs
#     (scripts/validate-canrisk/pedigreejs-check.mjs, in jsdom): load, draw, and write back.
#
# Both projects are GPL-3.0: they are used from where they lie; nothing of them is copied here.
# Each family is exported three ways: as is, with --estimate-missing, and with
# --estimate-missing --uk-ethnicity; and six negative controls (controls.py) put back one defect
# each that CanRisk refused or misread before issue #16. The Markdown report goes to stdout (and
# to $WORK/report.md); the exit status is 0 when every --estimate-missing export is accepted by
# both and every control is caught.
#
# Usage: scripts/validate-canrisk.sh BWS_DIR PEDIGREEJS_DIR
#   (just validate-canrisk BWS_DIR PEDIGREEJS_DIR)
# Needs python3 (3.10+; Django 5.2 for bws, from PyPI), node 20+ and npm (jsdom, jquery, d3 from
# npm), cargo. Work files go to $VALIDATE_CANRISK_WORK (default target/validate-canrisk).
# REFERENCE_YEAR (default: this year) is the year the ages refer to.

set -euo pipefail

die() {
    echo "validate-canrisk: $*" >&2
    exit 2
}

[ $# -eq 2 ] || die "usage: $0 BWS_DIR PEDIGREEJS_DIR"
root=$(cd "$(dirname "$0")/.." && pwd)
bws=$(cd "$1" && pwd) || die "no such directory: $1"
pjs=$(cd "$2" && pwd) || die "no such directory: $2"
[ -f "$bws/bws/pedigree_file.py" ] || die "$bws is not a checkout of CCGE-BOADICEA/bws (no bws/pedigree_file.py)"
[ -f "$pjs/es/canrisk_file.js" ] || die "$pjs is not a checkout of CCGE-BOADICEA/pedigreejs (no es/canrisk_file.js)"
here="$root/scripts/validate-canrisk"
work=${VALIDATE_CANRISK_WORK:-$root/target/validate-canrisk}
year=${REFERENCE_YEAR:-$(date -u +%Y)}
commit_of() {
    git -C "$1" rev-parse --short=12 HEAD 2>/dev/null || echo "unknown (not a git checkout)"
}

mkdir -p "$work"
rm -rf "$work/files"
mkdir -p "$work/files"

echo "validate-canrisk: tools (Python: Django/DRF for bws; npm: jsdom, jquery, d3)" >&2
if [ ! -x "$work/venv/bin/python" ]; then
    python3 -m venv "$work/venv"
fi
"$work/venv/bin/python" -c 'import django, rest_framework, drf_spectacular' 2>/dev/null ||
    "$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        "Django>=5.2,<6" "djangorestframework>=3.16.0" "drf-spectacular>=0.28.0"
(cd "$here" && { [ -d node_modules/jsdom ] || npm install --silent --no-audit --no-fund; })

echo "validate-canrisk: exporting the families (reference year $year)" >&2
(cd "$root" && cargo build --quiet -p genascope-api-actix --bin genascope)
bin="$root/target/debug/genascope"
files=()
for fam in "$root"/crates/domain/tests/fixtures/export/families/*.json; do
    stem=$(basename "$fam" .json)
    id=$(echo "$stem" | tr -cd 'a-z' | cut -c1-8 | tr 'a-z' 'A-Z')
    for variant in plain estimated uk; do
        case $variant in
            plain) flags=() ;;
            estimated) flags=(--estimate-missing) ;;
            uk) flags=(--estimate-missing --uk-ethnicity) ;;
        esac
        out="$work/files/$stem.$variant.canrisk4.txt"
        "$bin" export --format canrisk4 --family-id "$id" --reference-year "$year" \
            "${flags[@]}" "$fam" >"$out" 2>"$work/files/$stem.$variant.notes.txt"
        files+=("$out")
    done
done

# Negative controls: one defect of issue #16 put back in a copy of an export (report.py checks
# that each is caught).
while IFS= read -r control; do files+=("$control"); done < <(python3 "$here/controls.py" "$work/files")

echo "validate-canrisk: CanRisk web service (bws $(commit_of "$bws"))" >&2
"$work/venv/bin/python" "$here/bws_check.py" "$bws" "${files[@]}" >"$work/bws.json"
echo "validate-canrisk: CanRisk editor (pedigreejs $(commit_of "$pjs"))" >&2
node --no-warnings --import "$here/register.mjs" "$here/pedigreejs-check.mjs" "$pjs" "${files[@]}" \
    >"$work/pedigreejs.json"

status=0
python3 "$here/report.py" "$work/bws.json" "$work/pedigreejs.json" \
    "$(commit_of "$bws")" "$(commit_of "$pjs")" >"$work/report.md" || status=$?
cat "$work/report.md"
exit "$status"
