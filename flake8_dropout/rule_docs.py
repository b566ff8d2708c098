"""Each code's documentation: the README's *Codes* sections and `flake8-dropout rule CODE`.

The text lives here once; a test checks that README.md holds each entry word for
word under `### CODE`, so the command, the SARIF rule help and the README agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from .rules import FIX_APPLICABILITY, Applicability, Code


@dataclass(frozen=True)
class RuleDoc:
    code: Code
    name: str  # kebab-case, as ruff names its rules
    summary: str  # when it is reported, one line of Markdown
    text: str  # the README section under `### CODE`, Markdown

    @property
    def fix(self) -> Applicability:
        return FIX_APPLICABILITY[self.code]

    def render(self) -> str:
        """What `flake8-dropout rule CODE` prints (Markdown, like `ruff rule`)."""
        fix = {
            Applicability.SAFE: "Fix is available with `--fix`.",
            Applicability.UNSAFE: "Fix is available with `--fix --unsafe-fixes`.",
            Applicability.NONE: "No fix is available.",
        }[self.fix]
        return f"# {self.name} ({self.code.value})\n\n{fix}\n\n{self.text}\n"


RULES: dict[str, RuleDoc] = {
    doc.code.value: doc
    for doc in (
        RuleDoc(
            Code.MISSING,
            "dropout-without-training",
            "`training` is not passed",
            """\
**What it does.** Finds a functional dropout call in an `nn.Module` method
that does not pass `training`.

**Why is this bad?** `F.dropout`, `dropout1d/2d/3d` default to
`training=True`: the call is always active, even after `model.eval()`, so
evaluation and inference are randomly corrupted. `F.alpha_dropout` and
`F.feature_alpha_dropout` default to `training=False`: the call is never
active, even in training, so the regularisation you wrote does nothing.

**Example**

```python
class Block(nn.Module):
    def forward(self, x):
        return F.dropout(x, 0.1)
```

**Use instead**

```python
class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.dropout = nn.Dropout(p=0.1)

    def forward(self, x):
        return self.dropout(x)
```

**Fix safety.** Safe: in train mode the layer computes exactly what the call
did (same random stream), in eval mode it does nothing, and `state_dict()`
keys do not change. For the alpha variants the fix deliberately makes dropout
active in training, which is what the code asked for.""",
        ),
        RuleDoc(
            Code.LITERAL_TRUE,
            "dropout-training-true",
            "`training=True` literally",
            """\
**What it does.** Finds `training=True` (or `train=True` in the ATen forms)
written literally.

**Why is this bad?** The call is always active, even after `model.eval()`.

**Example** `F.dropout(x, 0.1, training=True)` — **use instead**
`self.dropout(x)` with an `nn.Dropout(p=0.1)` layer, or
`training=self.training`.

**Fix safety.** Unsafe: a literal `True` is sometimes deliberate (Monte Carlo
dropout, Tacotron 2's prenet). Keep such a call with `# noqa: DRP002`; fix the
others with `--unsafe-fixes`.""",
        ),
        RuleDoc(
            Code.NOT_MODE,
            "dropout-training-not-mode",
            "`training` is anything else but `self.training`",
            """\
**What it does.** Finds a `training` argument that is neither
`self.training` nor an `and` chain holding it: `False`, a variable, `not
self.training`, `self.training or x`, `self.is_training`, `other.training`.

**Why is this bad?** Dropout then does not follow the module's train/eval
mode: `model.eval()` does not turn it off, or `model.train()` does not turn it
on.

**Example** `F.dropout(x, 0.1, training=training)` — **use instead**
`F.dropout(x, 0.1, training=self.training)` or a layer.

**Fix safety.** Unsafe: the author may have meant the other expression.""",
        ),
    )
}
