#!/usr/bin/env bash
# Rank a list of projects as a Slurm job array of 8 tasks. Slurm sets
# SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT (and SLURM_ARRAY_TASK_MIN),
# from which each task picks its deterministic slice of sources.txt.
#
#   sbatch deploy/slurm-array.sh
#
# With a shared PostgreSQL server, every task writes to the same database.
# Without one, each task writes its own SQLite file on shared storage, and a
# final step merges them:
#
#   reproscale rank merge results/shard-*.db --into results/all.db
#   reproscale rank list --db results/all.db --format markdown
#SBATCH --job-name=reproscale-rank
#SBATCH --array=0-7
#SBATCH --cpus-per-task=4
#SBATCH --mem=4G
#SBATCH --time=02:00:00
#SBATCH --output=logs/rank-%A_%a.out
set -euo pipefail
mkdir -p results logs
if [ -n "${DATABASE_URL:-}" ]; then
  db="$DATABASE_URL"
else
  db="results/shard-${SLURM_ARRAY_TASK_ID}.db"
fi
reproscale rank --from sources.txt --db "$db" --jobs "${SLURM_CPUS_PER_TASK:-4}" --timeout 900 --format csv
