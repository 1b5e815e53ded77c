"""Exchanging layers with other frameworks.

Each submodule imports its framework lazily, inside its functions, so that ``import rnnlab``
never pulls in a heavy dependency. `rnnlab.interop.torch` converts to and from ``torch.nn.RNN``,
``LSTM`` and ``GRU``.
"""
