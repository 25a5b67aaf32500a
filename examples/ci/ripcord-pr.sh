#!/usr/bin/env bash
# ripcord on a pull request: check every runbook and module, plan each failover runbook, compare
# it with the base branch's plan, and write one Markdown comment. Used by ripcord.yml (GitHub
# Actions) and run by ripcord's own tests (crates/ripcord/tests/cli/gates.rs).
#
#   examples/ci/ripcord-pr.sh BASE_CHECKOUT OUT_DIR [RUNBOOK...]
#
# BASE_CHECKOUT: the base branch checked out elsewhere (git worktree); OUT_DIR gets
# comment.md (first line: the marker that finds the comment again) and the plans. Annotations
# of `ripcord check` go to stdout as GitHub workflow commands. Exit: 0 all clean; 1 a check
# error or a plan that fails; 7 a plan over its RTO; 8 a plan with warnings (the lowest code
# but 0 wins). RIPCORD names the binary (default: ripcord on PATH; an absolute path).
set -uo pipefail

base=$1
out=$2
shift 2
runbooks=("$@")
if [ ${#runbooks[@]} -eq 0 ]; then
    runbooks=(runbooks/ecommerce/failover.rhai)
fi
ripcord=${RIPCORD:-ripcord}
mkdir -p "$out"
out=$(cd "$out" && pwd) # the base branch is planned from its own directory
status=0
# The exit of the script: the lowest code but 0 of its commands (1 over 7 over 8, as ripcord's
# own), any other failure counting as 1.
worst() {
    local code=$1
    case $code in
        0) return ;;
        7 | 8) ;;
        *) code=1 ;;
    esac
    if [ "$status" -eq 0 ] || [ "$code" -lt "$status" ]; then
        status=$code
    fi
}

"$ripcord" check runbooks/ stdlib/ --format github
worst $?

comment="$out/comment.md"
{
    echo "<!-- ripcord-plan -->"
    echo "## ripcord: what this pull request does to the failover"
    echo
} > "$comment"
for runbook in "${runbooks[@]}"; do
    name=$(basename "$runbook" .rhai)
    echo "<details open><summary><code>$runbook</code></summary>" >> "$comment"
    echo >> "$comment"
    rm -f "$out/$name.base.json"
    if [ -f "$base/$runbook" ]; then
        # Whatever its gates say (over its RTO, warnings, a failure), its plan is the base.
        (cd "$base" && "$ripcord" plan "$runbook" -f json -o "$out/$name.base.json" 2>/dev/null)
    fi
    if [ -s "$out/$name.base.json" ]; then
        "$ripcord" plan "$runbook" --compare "$out/$name.base.json" -f markdown >> "$comment"
    else
        echo "A new runbook (or one the base branch cannot plan): no comparison." >> "$comment"
    fi
    echo >> "$comment"
    "$ripcord" plan "$runbook" -f markdown -o "$out/$name.plan.md" --fail-on-warnings
    code=$?
    case $code in
        0) ;;
        7) echo "**The plan exceeds the runbook's RTO** (exit 7)." >> "$comment" ;;
        8) echo "**The plan has warnings** (exit 8): see the steps marked ⚠️." >> "$comment" ;;
        *) echo "**The plan fails** (exit $code): see the job's log." >> "$comment" ;;
    esac
    worst $code
    echo >> "$comment"
    if [ -f "$out/$name.plan.md" ]; then
        cat "$out/$name.plan.md" >> "$comment"
    fi
    echo "</details>" >> "$comment"
done
exit $status
