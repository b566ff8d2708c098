import torch
import torch.nn.functional as F


class Net(torch.nn.Module):  # a file indented with tabs is wrapped with tabs
	def __init__(self, config):
		super().__init__()
		self.config = config
		self.dropout = torch.nn.Dropout(p=self.config.attention_probabilities_dropout)

	def forward(self, hidden_states, rate):
		hidden_states = self.dropout(hidden_states)
		return F.dropout(
			hidden_states + hidden_states * hidden_states,
			rate * rate + rate,
			training=self.training,
		)
