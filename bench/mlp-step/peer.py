"""PyTorch peer of bench/mlp-step: one AdamW step (lr 1e-3, wd 0.01, eps 1e-8) of a
512→256→256→64 ReLU MLP, MSE loss, fixed batch; same start weights and data as tessera."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import common  # noqa: E402

ap = common.parser(__doc__)
ap.add_argument("--batch", type=int, default=1024)
a = ap.parse_args()
common.set_threads(a.threads)
import torch  # noqa: E402

WIDTHS = [512, 256, 256, 64]
layers = []
for l, (fan_in, fan_out) in enumerate(zip(WIDTHS[:-1], WIDTHS[1:])):
    lin = torch.nn.Linear(fan_in, fan_out)
    with torch.no_grad():
        lin.weight.copy_(torch.from_numpy(common.det_matrix(fan_in, fan_out, 10 + l, common.glorot_scale(fan_in, fan_out))).t())
        lin.bias.copy_(torch.from_numpy(common.det_matrix(1, fan_out, 20 + l, 0.1)).reshape(-1))
    layers += [lin, torch.nn.ReLU()]
model = torch.nn.Sequential(*layers[:-1])
x = torch.from_numpy(common.det_matrix(a.batch, WIDTHS[0], 1, 2.0))
y = torch.from_numpy(common.det_matrix(a.batch, WIDTHS[-1], 2, 2.0))
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01, eps=1e-8)


def step():
    opt.zero_grad(set_to_none=True)
    loss = torch.nn.functional.mse_loss(model(x), y)
    loss.backward()
    opt.step()
    return loss


secs, loss = common.median_seconds(a.warmup, a.iters, step)
common.emit(secs, "loss_last_step", float(loss.detach()))
