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
run tests 90 python3 -m pytest -q -p no:cacheprovider tests/test_gpu.py
run profile_mlp 60 python3 benchmarks/profile_step.py mlp tl_compile --cprofile
run profile_mlp_jax 40 python3 benchmarks/profile_step.py mlp jax
# the GPT step's host time with built-in modules recorded as one op each, and op by op
# (ANALYSIS.md section 14), against the hand-written JAX step
run profile_gpt 90 python3 benchmarks/profile_step.py gpt tl_compile --steps 20 --cprofile
run profile_gpt_jax 60 python3 benchmarks/profile_step.py gpt jax --steps 20
run profile_gpt_per_op 60 env TORCHLIKE_COMPILE_MODULES=0 python3 benchmarks/profile_step.py gpt tl_compile --steps 20
run optim 90 python3 benchmarks/bench_optim.py --device cuda --jax-variants --n 20
run optim_per_tensor 45 env TORCHLIKE_OPTIM_FLAT=0 python3 benchmarks/bench_optim.py --device cuda --n 20
# compiled steps with the per-tensor optimizer update: on a CPU, XLA's fused concatenate of
# the packed update made the compiled MLP step 3-5x slower (ANALYSIS.md section 12)
run profile_mlp_per_tensor 40 env TORCHLIKE_OPTIM_FLAT=0 python3 benchmarks/profile_step.py mlp tl_compile
for w in gpt mlp cnn resnet lstm; do
  run "train_$w" 150 python3 benchmarks/bench_train.py --workloads "$w" \
    --modes torch,tl,tl_compile,jax --steps 20 --rounds 4 --no-write
done
