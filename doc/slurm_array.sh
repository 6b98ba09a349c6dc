#!/bin/bash
# An array job that runs 20,000 replicates of a scenario as 10 shards of
# 2,000 (itpsim run --replicates FROM:TO), one per array task, then merges
# them into one folder of results, the same files as one run of 20,000:
#   sbatch doc/slurm_array.sh                  # the shards, tasks 0-9
#   sbatch --dependency=afterok:JOBID --wrap \
#     'itpsim merge results/vayhit2_20k results/shards/vayhit2_*'
# Copy and edit: the scenario, the seed, the shard size, the paths.
#SBATCH --job-name=itpsim-shards
#SBATCH --array=0-9
#SBATCH --cpus-per-task=8
#SBATCH --time=02:00:00
set -euo pipefail
scenario=scenarios/vayhit2.cfg
seed=20261201
per_shard=2000
from=$((SLURM_ARRAY_TASK_ID * per_shard))
to=$((from + per_shard))
itpsim run "$scenario" -s "$seed" --replicates "$from:$to" -j "${SLURM_CPUS_PER_TASK:-1}" \
  -o "results/shards/vayhit2_$(printf '%02d' "$SLURM_ARRAY_TASK_ID")" --quiet
