#!/bin/bash
# SCIM request latency at 30,000 members (issue 27): one client, an SQLite store, medians of 5.
# Usage: benches/scim_latency.sh (ROSTER=target/release/roster to measure a release build).
set -e
R=${ROSTER:-target/debug/roster}
W=$(mktemp -d /tmp/scim-measure.XXXXXX); export ROSTER_DB=$W/r.db
python3 -c "
print('email,external_id,first_name,last_name')
for i in range(30000): print(f'm{i}@example.com,X{i},F{i},L{i}')" > $W/big.csv
$R import $W/big.csv --quiet >/dev/null
K=$($R keys create okta --scope scim 2>/dev/null)
$R serve --listen 127.0.0.1:18431 --rate-limit 100000/s 2>$W/serve.log & S=$!
sleep 1
t() { curl -s -o /dev/null -w "%{time_total}\n" -H "Authorization: Bearer $K" -H 'content-type: application/scim+json' "$@"; }
med() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "GET filter userName eq (median of 5): $(for i in 1 2 3 4 5; do t "localhost:18431/scim/v2/Users?filter=userName%20eq%20%22m2999$i@example.com%22"; done | med) s"
echo "GET /Users/{id} (median of 5): $(for i in 1 2 3 4 5; do t "localhost:18431/scim/v2/Users/$((1000+i))"; done | med) s"
echo "POST /Users (median of 5): $(for i in 1 2 3 4 5; do t -XPOST localhost:18431/scim/v2/Users -d "{\"userName\":\"n$i@example.com\",\"emails\":[{\"value\":\"n$i@example.com\",\"primary\":true}]}"; done | med) s"
echo "PATCH title (median of 5): $(for i in 1 2 3 4 5; do t -XPATCH localhost:18431/scim/v2/Users/$((100+i)) -d '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"title","value":"T"}]}'; done | med) s"
kill $S; wait $S 2>/dev/null; rm -rf $W
uptime
