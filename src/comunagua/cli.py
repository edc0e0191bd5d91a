"""The `comunagua` command: Django's management commands with our settings preset.

Our own commands are written with dashes on the command line (`comunagua import-registry`) and
live as Django commands with underscores (`import_registry`).
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comunagua.settings")
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and "-" in argv[1] and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
