"""``python -m course_utils``: the course's command line (see :mod:`course_utils.maintain.cli`)."""

import sys

from course_utils.maintain.cli import main

if __name__ == "__main__":
    sys.exit(main())
