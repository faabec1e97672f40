#!/usr/bin/env python3
"""Regenerates tests/eval/messages/*.eml and tests/eval/labels.jsonl from the
hand-written message texts in benign.py, pos1.py, pos2.py and pos3.py."""
import os, shutil, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mk
shutil.rmtree(mk.MSG, ignore_errors=True)
os.makedirs(mk.MSG)
import benign, pos1, pos2, pos3  # noqa: E402,F401  (each call writes one message)
mk.flush(os.path.join(mk.OUT, 'labels.jsonl'))
