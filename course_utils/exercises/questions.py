"""The quick questions of notebook 2 (exercise 2.3), each a widget with a Check button."""

from __future__ import annotations

from course_utils.exercises.widgets import MultipleChoice, NumericQuestion


def dense_layer_question() -> NumericQuestion:
    """Exercise 2.3a: how many parameters has a Dense layer from 784 inputs to 32 units? (a widget)."""
    return NumericQuestion(
        "How many trainable parameters does a <code>Dense</code> layer from 784 inputs to 32 units have?",
        answer=784 * 32 + 32,
        hint="Each of the 32 units has one weight per input and one bias.",
        mistakes={
            784 * 32: "That counts the weights only: each of the 32 units also has a bias.",
            784 * 32 + 784: "A Dense layer has one bias per unit (32), not one per input (784).",
            784 + 32: "Every input connects to every unit: multiply 784 × 32 instead of adding, then add the biases.",
            785 * 33: "One bias per unit: (784 + 1) × 32, not (784 + 1) × (32 + 1).",
        },
        explanation="784 × 32 weights + 32 biases = 25,120. This layer is the first layer of Autoencoder_3.",
        title="Exercise 2.3a",
    )


def latent_point_question() -> MultipleChoice:
    """Exercise 2.3b: what is one point of the latent plot? (a widget)."""
    right = "One test image, placed at its two code numbers"
    return MultipleChoice(
        "In the latent-space plot of this notebook, what is one point?",
        choices={
            "One pixel of an image": (
                "A pixel is one of the 784 inputs. The plot shows what is left after the encoder squeezed all "
                "784 pixels of an image into 2 numbers."
            ),
            right: (
                "The encoder turns each test image into 2 numbers, its position. The colour is the image's label, "
                "which the autoencoder never saw."
            ),
            "The average of all images of one digit": (
                "Then there would be only 10 points. Each point is a single image; a cluster is many images of one digit."
            ),
            "One unit (neuron) of the latent layer": (
                "The latent layer has just 2 units: they are the plot's two axes, not its points."
            ),
        },
        answer=right,
        title="Exercise 2.3b",
    )
