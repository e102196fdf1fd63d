"""Keras, imported once without TensorFlow's native start-up lines.

Lesson modules write ``from course_utils.backend import keras`` instead of ``import keras``, so a
notebook's Setup cell can import them in any order before :func:`course_utils.environment.setup`.
"""

from course_utils.environment import import_keras_quietly

keras = import_keras_quietly()

__all__ = ["keras"]
