"""The `ludwig` command with this project's fixes applied: accepts exactly Ludwig's arguments.

Why it exists: the stock CLI cannot load plugins (Ludwig has no entry points), and Ludwig 0.17.10
cannot even load a saved LLM model without the schema fix in plugins/ludwig_fixes.py. Use it as
`python -m plugins.ludwig_cli predict --model_path ... --dataset ...` wherever you would type `ludwig`.
"""

import sys

from plugins import ludwig_fixes


def main() -> None:
    ludwig_fixes.apply()
    from ludwig.cli import main as ludwig_main

    ludwig_main()


if __name__ == "__main__":
    sys.exit(main())
