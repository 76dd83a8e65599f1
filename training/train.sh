#!/usr/bin/env bash
# Retrain llama31-mini from scratch and export it to public/models/llama31-mini/ (about an hour on 2 CPU cores).
# Uses Debian's PyTorch (python3-torch), python3-regex and python3-matplotlib; logs to training/out/.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p training/out
nice -n 10 /usr/bin/python3 -m training.train "$@" 2>&1 | tee -a training/out/train-console.log
