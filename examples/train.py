"""Training script for the demo runs under runs/.

It logs the same tags that the event files in runs/ hold, so Model Monitor can put
its findings (NaN loss, overfitting, an unscheduled learning-rate change) on the
lines below that log them. Run it with PyTorch installed to produce a fresh run:

    python train.py --logdir runs/my_run --lr 0.2
"""
import argparse

import torch
from torch import nn
from torch.utils.tensorboard import SummaryWriter


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--logdir", default="runs/nan_divergence")
    parser.add_argument("--lr", type=float, default=0.002)
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args()

    torch.manual_seed(0)
    x = torch.randn(512, 8)
    y = (x @ torch.randn(8, 1)) * 100.0 + 50.0  # unscaled targets make large lrs diverge
    x_val, y_val = x[:64], y[:64]

    model = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    writer = SummaryWriter(args.logdir)

    for step in range(1, args.steps + 1):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        grad_norm = nn.utils.clip_grad_norm_(model.parameters(), float("inf"))
        optimizer.step()

        writer.add_scalar("train/loss", loss.item(), step)
        writer.add_scalar("train/grad_norm", grad_norm.item(), step)

        if step % 10 == 0:
            with torch.no_grad():
                val_loss = nn.functional.mse_loss(model(x_val), y_val)
            writer.add_scalar("val/loss", val_loss.item(), step)
            writer.add_scalar("lr", optimizer.param_groups[0]["lr"], step)

        if step == 150:
            for group in optimizer.param_groups:
                group["lr"] *= 100  # the unscheduled change Model Monitor flags

    writer.close()
    torch.save(model.state_dict(), "checkpoints/model.pt")


if __name__ == "__main__":
    main()
