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

# %% [markdown]
# # 4. Three hidden layers: `784-32-10-2-10-32-784`
#
# The third model has layers of 32 and 10 ReLU units before the 2-number code, mirrored in the
# decoder. The article finds its reconstructions close to the originals and its digits mostly in
# separate clusters. We check, and measure.
#
# **You will**: build the model, count its parameters, train it, look at its reconstructions and
# latent space, and compare it with the PCA baseline from notebook 1.

# %% [markdown]
# ## Setup

# %%
from course_utils import environment

environment.setup(seed=42)

from course_utils import compare, data, metrics, models, plots, training  # noqa: E402  (Keras must load after setup)

# %% [markdown]
# ## Data

# %%
mnist = data.load_mnist()
x_train, y_train, x_test, y_test = mnist.x_train, mnist.y_train, mnist.x_test, mnist.y_test

# %% [markdown]
# ## Build the model
# `build_article_model` builds the encoder, the decoder and the full autoencoder
# (`decoder(encoder(x))`). The new hidden layers use ReLU; the code stays linear and the output sigmoid, as in notebook 2.

# %% tags=["nbval-check-output"]
latent_dim = models.LATENT_DIM
model = models.build_article_model("Autoencoder_3", seed=42)
encoder, decoder, autoencoder = model.encoder, model.decoder, model.autoencoder
print(models.layer_table(model))

# %% [markdown]
# ## Train
# Exactly the settings of notebook 2 (linear code, Adam, batch 32, 30 epochs), so that depth is
# the only thing that changes.
#
# `reuse=True` loads the result of an identical earlier run (same weights, data, settings and seed)
# if one is cached, for example from a previous run of this notebook. Pass `reuse=False` to watch it
# train again.

# %%
settings = training.TrainingSettings()
print(settings)
history = training.train(model, x_train, x_test, settings, seed=42, reuse=True)

# %% tags=["hide-input"]
plots.plot_history(history, title="Autoencoder_3: loss per epoch")

# %% [markdown]
# ## Reconstructions
# One test image of each digit, on top, and what the autoencoder makes of it, below.

# %% tags=["hide-input"]
shown = compare.first_of_each_digit(y_test)
plots.show_reconstructions(x_test[shown], training.reconstruct(model, x_test[shown]), title="Autoencoder_3: test digits and reconstructions")

# %% [markdown]
# ## Latent space
# Every test image becomes a point: its two latent numbers. The colour is the true digit, which
# the autoencoder never saw.

# %% tags=["hide-input"]
codes = training.encode(model, x_test)
plots.plot_latent_space(codes, y_test, title="Autoencoder_3: test digits in the latent space")

# %% [markdown]
# ## Measure
# The same measures as for PCA in notebook 1 (see `metrics.METRIC_DESCRIPTIONS` for all five).

# %%
scores = {
    "PCA (2-D)": metrics.measure(metrics.pca_representation(x_train), mnist),
    "Autoencoder_3": metrics.measure(metrics.autoencoder_representation(model), mnist),
}
print(metrics.score_table(scores))

# %% [markdown]
# ## What we see
# OUTCOME_TEXT

# %% [markdown]
# ## Summary
# - `784-32-10-2-10-32-784` has 51,726 parameters: layers of 32 and 10 ReLU units on each side of the code.
# - SUMMARY_TEXT
#
# Next: [the three models side by side](05_comparison.ipynb).
