#!/usr/bin/env bash
# Every GPU measurement the README quotes, in one command, each step time-limited so that a
# short session on a GPU machine gets the most important numbers first:
#   bash benchmarks/gpu_all.sh OUTDIR [SECONDS]
# Writes OUTDIR/*.log. Needs jax with CUDA and PyTorch with CUDA (the comparison).
set -u
out=${1:?output directory}
budget=${2:-540}
mkdir -p "$out"
cd "$(dirname "$0")/.."
export PYTHONPATH=$PWD PYTHONUNBUFFERED=1 XLA_PYTHON_CLIENT_PREALLOCATE=false
t0=$(date +%s)
left() { echo $(( budget - ($(date +%s) - t0) )); }
run() {  # run NAME SECONDS CMD...: at most SECONDS, never past the budget
  local name=$1 limit=$2; shift 2
  local l; l=$(left); [ "$l" -lt 20 ] && { echo "skipped $name (budget)"; return; }
  [ "$limit" -gt "$l" ] && limit=$l
  echo "== $name ($(( $(date +%s) - t0 )) s)"
  timeout "$limit" "$@" > "$out/$name.log" 2>&1; echo "   exit $?"; tail -4 "$out/$name.log"
}
run tests 60 python3 -m pytest -q -p no:cacheprovider tests/test_gpu.py
# first what the issues' GPU targets need: where the compiled steps' host time goes, and the
# steps against PyTorch eager and the hand-written JAX step (torchlike eager is left to the
# end: its first steps compile op by op for minutes on a GPU)
run profile_mlp 45 python3 benchmarks/profile_step.py mlp tl_compile --cprofile
# the GPT step with built-in modules recorded as one op each (ANALYSIS.md section 14)
run profile_gpt 75 python3 benchmarks/profile_step.py gpt tl_compile --steps 20 --cprofile
for w in mlp gpt; do
  run "train_$w" 100 python3 benchmarks/bench_train.py --workloads "$w" \
    --modes torch,tl_compile,jax --steps 20 --rounds 3 --no-write
done
run optim 60 python3 benchmarks/bench_optim.py --device cuda --jax-variants --n 20
run profile_gpt_per_op 60 env TORCHLIKE_COMPILE_MODULES=0 python3 benchmarks/profile_step.py gpt tl_compile --steps 20
run profile_mlp_jax 40 python3 benchmarks/profile_step.py mlp jax
run profile_gpt_jax 60 python3 benchmarks/profile_step.py gpt jax --steps 20
for w in cnn resnet lstm; do
  run "train_$w" 150 python3 benchmarks/bench_train.py --workloads "$w" \
    --modes torch,tl_compile,jax --steps 20 --rounds 4 --no-write
done
for w in mlp gpt cnn resnet lstm; do
  run "train_tl_$w" 150 python3 benchmarks/bench_train.py --workloads "$w" \
    --modes torch,tl --steps 20 --rounds 3 --no-write
done
