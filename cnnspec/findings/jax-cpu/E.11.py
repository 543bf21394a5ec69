import jax.numpy as jnp
from jax import lax
x = jnp.ones((1, 1, 4, 4))
pool = lambda window, padding: lax.reduce_window(x, -jnp.inf, lax.max, window, (1, 1, 1, 1), padding).shape
print(pool((1, 1, 3, 3), ((0, 0), (0, 0), (-1, -1), (0, 0))), pool((1, 1, 3, 3), ((0, 0), (0, 0), (2, 2), (0, 0))),
      pool((1, 1, 5, 3), ((0, 0),) * 4))  # (1, 1, 0, 2) (1, 1, 6, 2) (1, 1, 0, 2): each should raise
