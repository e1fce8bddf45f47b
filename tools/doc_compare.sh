#!/bin/sh
# Compares the result documents two dsim binaries write, byte for byte, for every example of
# topologies/ and every YAML file under tests/ (seed 1, full length): the check that a
# refactoring of the report code changed no figure. Exit status 1 when any document or exit
# status differs. Usage: tools/doc_compare.sh OLD_DSIM NEW_DSIM [WORK_DIR]
# DOC_COMPARE_DROP="requests.latency_breakdown ...": dotted paths of keys a change adds on
# purpose, deleted (with jq) from both documents before they are compared, so that every other
# byte must still match (jq re-renders both the same way).
set -u
[ $# -ge 2 ] || { echo "usage: $0 OLD_DSIM NEW_DSIM [WORK_DIR]" >&2; exit 2; }
old=$1 new=$2 work=${3:-$(mktemp -d)}
cd "$(dirname "$0")/.."
status=0 count=0
for f in topologies/*.yaml $(find tests -name '*.yaml' | sort); do
    b=$work/$(echo "$f" | tr / _)
    nice "$old" run "$f" --seed 1 --json "$b.old.json" >/dev/null 2>&1; rc_old=$?
    nice "$new" run "$f" --seed 1 --json "$b.new.json" >/dev/null 2>&1; rc_new=$?
    count=$((count + 1))
    if [ -n "${DOC_COMPARE_DROP:-}" ]; then
        for side in old new; do
            [ -f "$b.$side.json" ] || continue
            filter=$(for p in $DOC_COMPARE_DROP; do printf 'del(.%s) | ' "$p"; done)
            jq "$filter." "$b.$side.json" >"$b.$side.dropped" && mv "$b.$side.dropped" "$b.$side.json"
        done
    fi
    if [ $rc_old -ne $rc_new ]; then
        echo "$f: exit status $rc_old, now $rc_new"; status=1
    elif [ -f "$b.old.json" ] && ! cmp -s "$b.old.json" "$b.new.json"; then
        echo "$f: the documents differ ($b.old.json, $b.new.json)"; status=1
    fi
done
echo "$count files compared in $work: $([ $status -eq 0 ] && echo identical || echo DIFFERENT)"
exit $status
