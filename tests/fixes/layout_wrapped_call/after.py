# fix-options: --unsafe-fixes
import torch
import torch.nn.functional as F


class Net(torch.nn.Module):  # lines that would pass 88 characters are wrapped like ruff format
    def forward(self, hidden_states, attention_probabilities, rate):
        hidden_states = F.dropout(
            hidden_states + attention_probabilities,
            p=rate * 0.5,
            training=self.training,
        )
        very_long_name_for_the_result = F.dropout(
            hidden_states + attention_probabilities, rate, training=self.training
        )
        return self.project(F.dropout(
            hidden_states, rate, training=self.training
        )) + torch.tanh(F.dropout(
            hidden_states, p=rate, training=self.training
        ))


class Layer(torch.nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.dropout = torch.nn.Dropout(
            p=self.config.attention_probabilities_dropout_probability
        )

    def forward(self, hidden_states):
        hidden_states = self.dropout(hidden_states)
        return hidden_states


class NoInit(torch.nn.Linear):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.dropout = torch.nn.Dropout(
            p=self.very_long_configuration_name_of_a_class_attribute_for_the_rate
        )

    def forward(self, hidden_states):
        return self.dropout(hidden_states)

    very_long_configuration_name_of_a_class_attribute_for_the_rate = 0.1
