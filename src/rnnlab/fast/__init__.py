"""The compiled fast path (Numba): a layer direction's forward and backward in one call each.

`rnnlab.backend` decides when it runs; importing this package imports nothing compiled (numba's
import is slow), and the allocator is tuned (`memory`) only when the fast path is first used.
It needs numba and scipy (numba's ``np.dot`` calls BLAS through ``scipy.linalg.cython_blas``),
the ``fast`` extra. Kernels are cached on disk (numba's ``cache=True``), so only the first
process on a machine pays the compilation.

What each part does:

- `support`: what the kernels know, asked before anything compiled is imported;
- `direction`: a layer direction's `forward` and `backward`, the module the layers call;
- `lstm`, `gru`, `rnn`: each cell's entry, preparing its kernel's arrays and running it;
- `kernels`: the compiled time loops per cell, their activations, the LSTM's flag vector
  (`lstm_flags`) and the loops over contiguous row blocks (`row_blocks`);
- `products`: the matrix products: the packed register tiles (`tiles`), NumPy's BLAS from a
  kernel (`blas`), products over all T*N rows (`tall`), the layer's products on (T, N, ·)
  views (`outside_loop`) and those made in a kernel's call (`around_loop`);
- `batch_first`: reading the caller's batch-first arrays in place;
- `kernel_args`: the kernels' arguments (contiguous arrays, the mask, trace buffers);
- `threads`: the split of batch rows across threads, and BLAS's thread counts;
- `memory`: keeping freed memory in the process (mallopt) and a pool for large arrays.
"""
