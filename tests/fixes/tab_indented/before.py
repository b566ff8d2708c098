import torch.nn.functional as F
from torch import nn


class Net(nn.Module):
	def __init__(self):
		super().__init__()
		self.lin = nn.Linear(4, 4)

	def forward(self, x):
		return F.dropout(self.lin(x), 0.1)


class Bare(nn.Module):
	def forward(self, x):
		return F.dropout(x, 0.2)
