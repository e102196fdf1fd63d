"""The checks of the exercises: one module per notebook (``nb01`` to ``nb09``), and ``common``.

A notebook imports its own module as ``checks`` and calls one check function per exercise::

    from course_utils.exercises.checks import nb03 as checks
    checks.check_encoder_2(my_encoder)          # a CheckResult: what is right, what to fix

A check takes the student's answer explicitly; it never looks at notebook variables by itself. It
returns a :class:`~course_utils.exercises.feedback.CheckResult` that says what is right and what to
fix. A check never raises for a wrong or odd answer: it explains. An answer that is still the
placeholder ``...`` is reported as "not answered yet".

The module ``nbNN`` belongs to the notebook whose file name starts with ``NN_``: it holds that
notebook's checks, with their constants and helpers, then ``EXERCISES``, the notebook's
:class:`~course_utils.exercises.exercise.Exercise` entries in order, which
:mod:`~course_utils.exercises.registry` collects from every module of this package. What the checks
of several notebooks share is in :mod:`~course_utils.exercises.checks.common`; the checks of a Keras
encoder or decoder of any architecture are in :mod:`~course_utils.exercises.model_checks`.

This file imports no submodule, so that importing one notebook's checks never loads the others.
"""
