"""Inputs the command tests share: the bundled specs and logs they run, and two small
histories with known verdicts."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
FENCING = str(EXAMPLES / "fencing_lock.py")
DIE_HARD = str(EXAMPLES / "die_hard.py")
LOG = str(ROOT / "tests" / "robustness" / "corpus" / "seed-fencing.jsonl")
# A write skew (two transactions each read what the other writes): not serializable.
WRITE_SKEW = ("{:type :invoke, :process 0, :f :txn, :value [[:r 1 nil] [:w 2 1]]}\n"
              "{:type :invoke, :process 1, :f :txn, :value [[:r 2 nil] [:w 1 1]]}\n"
              "{:type :ok, :process 0, :f :txn, :value [[:r 1 nil] [:w 2 1]]}\n"
              "{:type :ok, :process 1, :f :txn, :value [[:r 2 nil] [:w 1 1]]}\n")
# A kv history that is not linearizable: the read sees a value nobody wrote.
KV = ('{:process 0 :type :invoke :f :put :key "k" :value "a"}\n'
      '{:process 0 :type :ok :f :put :key "k" :value "a"}\n'
      '{:process 1 :type :invoke :f :get :key "k"}\n'
      '{:process 1 :type :ok :f :get :key "k" :value "b"}\n')
