"""The course's exercises: checks that explain, widgets that answer at once, and one registry.

A notebook imports its own module of checks as ``checks``, and the widgets it shows, and passes
every answer explicitly::

    from course_utils.exercises import questions
    from course_utils.exercises.checks import nb02 as checks
    checks.check_parameters_with_3d_code(answer_2_1)    # a CheckResult: what is right, what to fix
    questions.dense_layer_question()                    # a question widget with a Check button

- :mod:`~course_utils.exercises.checks`: a module per notebook (``nb01`` to ``nb09``) with one check
  function per exercise, then the notebook's ``EXERCISES`` (goal, check and answer of each);
- :mod:`~course_utils.exercises.questions`: the quick questions of notebook 2;
- :mod:`~course_utils.exercises.architecture_builder`: ``ArchitectureBuilder``, layer sizes to parameters;
- :mod:`~course_utils.exercises.depth_explorer`: ``DepthExplorer``, train and compare depths;
- :mod:`~course_utils.exercises.latent_decoder` and :mod:`~course_utils.exercises.measure_explorer`:
  the widgets of notebooks 5 and 6;
- :mod:`~course_utils.exercises.registry`: every exercise, collected from the checks modules; it
  writes the instructor guide's exercise table.

To add an exercise, change the notebook's checks module (the check and its ``Exercise`` entry),
the notebook's ``.py`` and a test file; then ``python -m course_utils guide`` rewrites the guide's
table (CONTRIBUTING.md, "Add an exercise").

Below them, :mod:`~course_utils.exercises.widgets` (what every widget shares),
:mod:`~course_utils.exercises.model_checks` (checks of a Keras encoder or decoder),
:mod:`~course_utils.exercises.exercise` (the ``Exercise`` and ``Call`` of an entry) and
:mod:`~course_utils.exercises.feedback` (results, marks, reading numbers). Imports run one way, from
the registry down to ``feedback`` and ``exercise``; the lesson modules import nothing from here.
This file imports no submodule, so that importing one module never loads the others.
"""
