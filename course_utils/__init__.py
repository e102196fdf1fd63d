"""Helpers for the course "How the number of hidden layers shapes an autoencoder's latent space".

Import the modules you need, for example ``from course_utils import data, models, plots``.
Call :func:`course_utils.environment.setup` first in a notebook: it must run before Keras is
imported to keep TensorFlow's start-up noise out of the outputs. Importing this package itself
does nothing else.
"""

__all__ = ["__version__"]
__version__ = "0.1.0"
