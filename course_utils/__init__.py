"""Helpers for the course "How the number of hidden layers shapes an autoencoder's latent space".

Import the modules you need, for example ``from course_utils import data, environment, models``,
then call :func:`course_utils.environment.setup` once. Importing the package only sets
TensorFlow's logging variables (unless you set them yourself), which must happen before Keras loads.
"""

import os

for _name, _value in {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}.items():
    os.environ.setdefault(_name, _value)

__all__ = ["__version__"]
__version__ = "0.1.0"
