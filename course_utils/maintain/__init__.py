"""Maintainer tools that no notebook imports: the command line, execution, release, fingerprints.

Nothing in ``course_utils`` imports this package except ``python -m course_utils`` (``__main__``).
"""
