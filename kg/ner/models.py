"""Model identifiers in one place: the shipped default and the HanLP pretrained names users may pick."""

from __future__ import annotations

from pathlib import Path

MODEL_DIR = Path(__file__).parent / "model"
DEFAULT_MODEL = str(MODEL_DIR)  # the model `kg train` produces and the package ships, with MODEL_CARD.md
