#!/usr/bin/env bash
# Rewrites the key tables of docs/CONFIGURATION.md from the code's own lists
# (the host's keys, each plugin's config.json), as `switchboard config keys
# --markdown` prints them. A unit test fails while the doc is out of date.
#
#   scripts/config-doc.sh [path/to/switchboard]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/ci/bin/switchboard}
generated=$(SWITCHBOARD_CONFIG=/dev/null "$bin" config keys --markdown)
GENERATED="$generated" python3 - docs/CONFIGURATION.md <<'PY'
import os, re, sys
path = sys.argv[1]
doc = open(path).read()
for name, table in re.findall(r"<!-- keys:([a-z0-9_-]+) -->\n(.*?)<!-- /keys -->", os.environ["GENERATED"], re.S):
    pattern = re.compile(r"(<!-- keys:%s -->\n).*?(<!-- /keys -->)" % re.escape(name), re.S)
    if not pattern.search(doc):
        print("skipped plugin '%s': docs/CONFIGURATION.md has no region <!-- keys:%s --> for it" % (name, name))
        continue
    doc = pattern.sub(lambda m: m.group(1) + table + m.group(2), doc)
open(path, "w").write(doc)
PY
echo "docs/CONFIGURATION.md: key tables regenerated"
