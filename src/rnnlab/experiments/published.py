"""Published success rates to mark on the success-rate figure (from shared/research/tasks.md).

Each mark is a result as its paper states it, at the lag parameter our task of the same name
uses. The papers' training differs from ours (HS97: on-line updates, the 1997 cell without a
forget gate, truncated gradients; PMB13: a tanh RNN with gradient clipping *and* a regulariser,
on its own encoding of the task), so a mark says what was reached there, not what our recipe
should reach. Sequences-to-solve are not marked on the steps figure: one HS97 "sequence" is one
on-line update, not one of our minibatch steps.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mark:
    task: str
    length: int
    rate: float  # share of trials that reached the paper's criterion
    source: str  # legend label
    family: str  # "lstm" or "rnn": the marker shape
    note: str


MARKS: tuple[Mark, ...] = (
    # HS97 exp 2a (noise-free long lag), Table 2: means of 18 trials.
    Mark("longlag", 4, 0.78, "HS97 RTRL (RNN)", "rnn", "RTRL, p=4, lr 1.0: 78% of 18 trials"),
    Mark("longlag", 10, 0.0, "HS97 RTRL (RNN)", "rnn", "RTRL, p=10: 0% within 5M sequences"),
    Mark("longlag", 100, 0.0, "HS97 RTRL (RNN)", "rnn", "RTRL and BPTT, p=100: 0%"),
    Mark("longlag", 100, 1.0, "HS97 LSTM", "lstm", "LSTM, p=100: 100%, 5,040 sequences"),
    # HS97 exp 4, Table 7: 10 trials each, at most 3/2560 wrong.
    Mark("adding", 100, 1.0, "HS97 LSTM", "lstm", "LSTM, T=100: 10/10 trials, 74,000 sequences"),
    Mark("adding", 500, 1.0, "HS97 LSTM", "lstm", "LSTM, T=500: 10/10 trials, 209,000 sequences"),
    Mark("adding", 1000, 1.0, "HS97 LSTM", "lstm", "LSTM, T=1000: 10/10, 853,000 sequences"),
    # PMB13, SGD with clipping and regulariser, 5 seeds, success = <1% wrong (PMB13 encoding).
    *(
        Mark("adding", t, 1.0, "PMB13 tanh RNN, clip+reg", "rnn", f"PMB13 addition, T={t}: 5/5")
        for t in (50, 100, 150, 200)
    ),
    # HS97 exp 6a: lengths 100-110, criterion reached (mean of 20 trials: 31,390 sequences).
    Mark("temporal_order", 100, 1.0, "HS97 LSTM", "lstm", "LSTM 6a, T=100: 20 trials"),
    *(
        Mark("temporal_order", t, 1.0, "PMB13 tanh RNN, clip+reg", "rnn", f"PMB13, T={t}: 5/5")
        for t in (50, 100, 150, 200)
    ),
    # HS97 exp 5, Table 8: T=100, 10 trials, tested once few of the last 2000 were wrong.
    Mark("multiplication", 100, 1.0, "HS97 LSTM", "lstm", "LSTM, T=100: 10 trials"),
    *(
        Mark("multiplication", t, 1.0, "PMB13 tanh RNN, clip+reg", "rnn", f"PMB13, T={t}: 5/5")
        for t in (50, 100, 150, 200)
    ),
)


def marks_for(task: str, lengths: list[int] | None = None) -> list[Mark]:
    """The marks of ``task``, limited to the span of the sweep's lags when given."""
    marks = [m for m in MARKS if m.task == task]
    if lengths:
        lo, hi = min(lengths), max(lengths)
        marks = [m for m in marks if lo <= m.length <= hi]
    return marks
