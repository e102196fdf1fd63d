"""The course's exercises: checks that explain, widgets that answer at once, and one registry.

A notebook imports the modules it needs and passes every answer explicitly::

    from course_utils.exercises import checks, questions
    checks.check_encoder_2(my_encoder)          # a CheckResult: what is right, what to fix
    questions.dense_layer_question()            # a question widget with a Check button

- :mod:`~course_utils.exercises.checks`: one check function per exercise;
- :mod:`~course_utils.exercises.questions`: the quick questions of notebook 2;
- :mod:`~course_utils.exercises.architecture_builder`: ``ArchitectureBuilder``, layer sizes to parameters;
- :mod:`~course_utils.exercises.depth_explorer`: ``DepthExplorer``, train and compare depths;
- :mod:`~course_utils.exercises.registry`: every exercise with its goal, check and answer; it writes
  the instructor guide's exercise table.

Below them, :mod:`~course_utils.exercises.widgets` (what every widget shares),
:mod:`~course_utils.exercises.model_checks` (checks of a Keras encoder or decoder) and
:mod:`~course_utils.exercises.feedback` (results, marks, reading numbers). Imports run one way, from
the registry down to ``feedback``; the lesson modules import nothing from here. This file imports no
submodule, so that importing one module never loads the others.
"""
