//! Search tests on the real data.
