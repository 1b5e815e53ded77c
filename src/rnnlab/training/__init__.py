"""Training: `TrainConfig`, the loop, checkpoints, and `train_run`, one run end to end.

config = TrainConfig(task="adding", length=100, cell="lstm", hidden=16, steps=3000, seed=0)
result = train_run(config, out_dir="runs/adding-100-lstm")   # result.json's content
config, model = load_run("runs/adding-100-lstm")              # the trained model
config = TrainConfig(data="shakespeare", hidden=256, tbptt=100)  # a real dataset (rnnlab.data)
"""

from .checkpoint import list_checkpoints, load_checkpoint, save_checkpoint
from .config import TrainConfig
from .evaluation import evaluate
from .loop import TrainState, fit
from .problem import Problem, TaskProblem, make_problem
from .run import build_model, load_run, streams, train_run

__all__ = [
    "Problem",
    "TaskProblem",
    "TrainConfig",
    "TrainState",
    "build_model",
    "evaluate",
    "fit",
    "list_checkpoints",
    "load_checkpoint",
    "load_run",
    "make_problem",
    "save_checkpoint",
    "streams",
    "train_run",
]
