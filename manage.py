#!/usr/bin/env python
"""Django's command-line utility for the Transparency Registry."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
    if not os.environ.get("DATABASE_URL"):
        from registry.devdb import ensure_running

        ensure_running()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
