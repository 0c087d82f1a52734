#!/bin/sh
# The namespace QIS runs in and the search attributes its workflows keep current (the same list
# as workflows/search_attributes.py; tests/test_compose.py checks they agree). Safe to run again.
set -eu
NS="${TEMPORAL_NAMESPACE:-default}"
until temporal operator cluster health --address "$TEMPORAL_ADDRESS"; do
    echo "waiting for Temporal at $TEMPORAL_ADDRESS"
    sleep 3
done
temporal operator namespace describe --address "$TEMPORAL_ADDRESS" -n "$NS" >/dev/null 2>&1 \
    || temporal operator namespace create --address "$TEMPORAL_ADDRESS" -n "$NS" \
        --retention "${NAMESPACE_RETENTION:-3650d}"
for attribute in QisDistrict:Keyword QisStage:Keyword QisLevel:Keyword QisProjectType:Keyword \
        QisCreditCode:Keyword QisNextDeadline:Datetime QisProjectName:Text; do
    name="${attribute%%:*}"
    kind="${attribute##*:}"
    temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" -n "$NS" \
        --name "$name" --type "$kind" || echo "search attribute $name exists"
done
echo "namespace $NS is ready"
