"""Make the project importable when these pure tests run without pytest-django.

pytest-django puts the project root on ``sys.path``; with ``-p no:django`` nothing does, and
these tests need only ``portfolio``'s pure modules.
"""

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
