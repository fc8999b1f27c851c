"""confc schema: the JSON Schema of profile or environment files, for editors."""

from __future__ import annotations

import argparse
import json

from .. import editor_schema


def run(args: argparse.Namespace) -> int:
    document = editor_schema.profile() if args.kind == "profile" else editor_schema.environment()
    print(json.dumps(document, indent=2, ensure_ascii=False))
    return 0
