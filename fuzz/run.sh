#!/usr/bin/env bash
# Runs every fuzz target built in BUILD_DIR: first replays fuzz/regressions/<target>/
# (past crash inputs, which must now pass), then fuzzes for FUZZ_SECONDS from the
# committed seeds in fuzz/corpus/<target>/. New inputs go to a scratch corpus in
# the build tree, so the committed seeds stay small. A crash input is copied into
# fuzz/regressions/<target>/ for a person to commit with the fix.
#   usage: fuzz/run.sh BUILD_DIR [FUZZ_SECONDS]
# FUZZ_RUNS=N (what fuzz-long sets) stops a target after N executions, with
# FUZZ_SECONDS as the cap; the summary line says how many it reached.
# FUZZ_NEW_FINDINGS_FATAL=0 (what `check` uses) reports a NEW crash loudly but does not
# fail: a random 6 s search must not decide whether a submission lands. Regression
# replays always fail hard, and so does `fuzz`/`fuzz-long` by default.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$1"
seconds="${2:-5}"
targets="$(tr ';' ' ' < "$build/fuzz/targets.txt")"
status=0
for t in $targets; do
  bin="$build/fuzz/$t"
  regressions=("$here/regressions/$t"/*)
  if [ -e "${regressions[0]}" ]; then
    echo "fuzz: $t: replaying ${#regressions[@]} regression input(s)"
    "$bin" -runs=1 "${regressions[@]}" >"$build/fuzz/$t.replay.log" 2>&1 \
      || { echo "fuzz: error: $t fails a regression input; see $build/fuzz/$t.replay.log"; status=1; }
  fi
  scratch="$build/fuzz/corpus-$t"
  artifacts="$build/fuzz/crashes-$t/"
  mkdir -p "$scratch" "$artifacts"
  log="$build/fuzz/$t.log"
  runs=()
  [ -n "${FUZZ_RUNS:-}" ] && runs=(-runs="$FUZZ_RUNS")
  if "$bin" -max_total_time="$seconds" "${runs[@]}" -timeout=10 -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 \
       -artifact_prefix="$artifacts" "$scratch" "$here/corpus/$t" >"$log" 2>&1; then
    # The last status line: "#N DONE cov: C ft: F corp: ... exec/s: E ..."
    summary="$(grep -E '^#[0-9]+' "$log" | tail -1 || true)"
    echo "fuzz: $t: ok (cap ${seconds}s${FUZZ_RUNS:+, ${FUZZ_RUNS} runs}): ${summary}"
  else
    echo "fuzz: error: $t crashed; the input is in $artifacts, copied to fuzz/regressions/$t/; see $log"
    tail -40 "$log"
    mkdir -p "$here/regressions/$t"
    cp "$artifacts"/* "$here/regressions/$t/" 2>/dev/null || true
    if [ "${FUZZ_NEW_FINDINGS_FATAL:-1}" = 0 ]; then
      echo "fuzz: FINDING (not fatal here): $t crashed on a new input; fix it and commit the input"
    else
      status=1
    fi
  fi
done
exit $status
