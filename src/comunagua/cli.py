"""The `comunagua` command: Django's management commands with our settings preset.

Our own commands are written with dashes on the command line (`comunagua import-registry`) and
live as Django commands with underscores (`import_registry`); their help and usage lines show
them as they were typed.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comunagua.settings")
    argv = list(sys.argv if argv is None else argv)
    from django.core.management import ManagementUtility

    class Utility(ManagementUtility):
        def fetch_command(self, subcommand):
            # "import-registry" is found as "import_registry"; the name typed stays in argv, so
            # the usage line reads "comunagua import-registry".
            if not subcommand.startswith("-"):
                subcommand = subcommand.replace("-", "_")
            return super().fetch_command(subcommand)

    Utility(argv).execute()


if __name__ == "__main__":
    main()
