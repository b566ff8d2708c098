from torch.nn import (
    GRU,
    LSTM,
    Dropout,
    Linear,
    Module,
)
from torch.nn.functional import dropout


class Net(Module):  # a vertical import list gets the new name on a line of its own
    def __init__(self):
        super().__init__()
        self.dropout = Dropout(p=0.1)
        self.rnn = GRU(4, 4)
        self.lstm = LSTM(4, 4)
        self.lin = Linear(4, 4)

    def forward(self, x):
        return self.dropout(self.lin(x))
