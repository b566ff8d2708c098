# fix-options: --unsafe-fixes
import torch
import torch.nn.functional as F


class Net(torch.nn.Module):  # lines that would pass 88 characters are wrapped like ruff format
    def forward(self, hidden_states, attention_probabilities, rate):
        hidden_states = F.dropout(hidden_states + attention_probabilities, p=rate * 0.5)
        very_long_name_for_the_result = F.dropout(hidden_states + attention_probabilities, rate, training=False)
        return self.project(F.dropout(hidden_states, rate)) + torch.tanh(F.dropout(hidden_states, p=rate))


class Layer(torch.nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config

    def forward(self, hidden_states):
        hidden_states = F.dropout(hidden_states, p=self.config.attention_probabilities_dropout_probability)
        return hidden_states


class NoInit(torch.nn.Linear):
    def forward(self, hidden_states):
        return F.dropout(hidden_states, p=self.very_long_configuration_name_of_a_class_attribute_for_the_rate)

    very_long_configuration_name_of_a_class_attribute_for_the_rate = 0.1
