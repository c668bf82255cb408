#!/usr/bin/env python
"""Django's manage.py for the tool test's tiny project (tests/tools/test_django.py)."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinyproj.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
