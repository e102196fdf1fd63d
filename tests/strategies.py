"""Hypothesis settings and nonsense answers shared by the checks' property tests."""

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Few, repeatable examples: the checks are fed nonsense to prove they never raise, not searched for rare bugs.
FEW = settings(max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
# What a student might hand a check instead of an answer: other types, non-finite numbers, odd shapes.
ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
    st.binary(max_size=4),
    st.complex_numbers(),
    st.lists(st.one_of(st.floats(), st.integers(), st.text(max_size=3), st.none()), max_size=4),
    st.dictionaries(st.text(max_size=4), st.floats(), max_size=3),
    st.sets(st.integers(), max_size=3),
    st.sampled_from(
        [
            np.array([np.nan, 1.0]),
            np.array([np.nan, 1.0, 0.5]),
            np.zeros((2, 2)),
            np.zeros((3, 3)),
            np.array("x"),
            float("inf"),
            "nan",
            "1e400",
        ]
    ),
)
