import torch.nn.functional as F
from torch import nn


class Net(nn.Module):
	def __init__(self):
		super().__init__()
		self.dropout = nn.Dropout(p=0.1)
		self.lin = nn.Linear(4, 4)

	def forward(self, x):
		return self.dropout(self.lin(x))


class Bare(nn.Module):
	def __init__(self, *args, **kwargs):
		super().__init__(*args, **kwargs)
		self.dropout = nn.Dropout(p=0.2)

	def forward(self, x):
		return self.dropout(x)
