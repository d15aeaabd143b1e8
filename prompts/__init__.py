"""The texts (`en/`, one folder a language) and the HLCM questionnaire (`hlcm/`), shipped as package data.

`bot.texts` finds them beside this file, in a checkout as in an installed wheel; the
CONSULTBOT_PROMPTS_DIR setting points elsewhere."""

from pathlib import Path

HERE = Path(__file__).resolve().parent
