"""cifar2 trained data-parallel: DistributedDataParallel on MPI ranks, with the same network, data, global batch
(50) and optimizer as cifar2.py, written as the plain PyTorch loop people use with DDP.

Every rank trains on its share of each epoch (DistributedSampler) with batch 50 / world size, so one step
still sees 50 images; DDP averages the gradients, so the ranks keep identical weights. Metrics are summed
over the ranks with all_reduce; only rank 0 prints and writes the checkpoint (atomically: numbatorch.save
writes a temporary file and renames it). Prints ``best val_acc=<value> (epoch <n>)`` last.

    python -m numbatorch.distributed.run -n 2 tutorials/ddp_cifar2.py --epochs 10
    mpiexec -n 2 python tutorials/ddp_cifar2.py --quick
    python -m numbatorch.distributed.run -n 2 tutorials/ddp_cifar2.py --backend torch   # PyTorch on Gloo

Run without a launcher it is one rank, i.e. cifar2.py's training without KerasModel.
"""
import os
import tempfile

from _backend import Stopwatch, import_torch, import_vision, tutorial_parser
from cifar2 import create_net, find_data_dir, make_tiny_data

GLOBAL_BATCH = 50


def init_distributed(torch, backend):
    """Join the job: MPI for numbatorch; Gloo for PyTorch (torchrun's variables, or one local rank)."""
    dist = torch.distributed
    if backend == "numbatorch":
        dist.init_process_group("mpi")
    else:
        for name, value in (("RANK", "0"), ("WORLD_SIZE", "1"), ("MASTER_ADDR", "127.0.0.1"),
                            ("MASTER_PORT", "29500")):
            os.environ.setdefault(name, value)
        dist.init_process_group("gloo")
    return dist


def run_epoch(torch, model, loader, loss_fn, optimizer=None):
    """One pass over this rank's batches; returns (loss sum, correct, count) summed over every rank."""
    totals = torch.zeros(3, dtype=torch.float64)
    model.train(optimizer is not None)
    with torch.set_grad_enabled(optimizer is not None):
        for features, labels in loader:
            logits = model(features)
            loss = loss_fn(logits, labels)
            if optimizer is not None:
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            correct = ((logits > 0).float() == labels).sum()
            totals += torch.tensor([loss.item() * len(labels), correct.item(), len(labels)], dtype=torch.float64)
    torch.distributed.all_reduce(totals)
    loss_sum, correct, count = totals.tolist()
    return loss_sum / count, correct / count


def main(argv=None):
    parser = tutorial_parser("ddp_cifar2", __doc__)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--patience", type=int, default=5)
    parser.add_argument("--data-dir", help="cifar2 root holding train/ and test/")
    args = parser.parse_args(argv)
    watch = Stopwatch()
    torch = import_torch(args.backend)
    transforms, datasets = import_vision(args.backend)
    dist = init_distributed(torch, args.backend)
    rank, world = dist.get_rank(), dist.get_world_size()
    if GLOBAL_BATCH % world:
        raise SystemExit(f"the global batch {GLOBAL_BATCH} must divide evenly over the {world} ranks")
    torch.manual_seed(args.seed + rank)  # own dropout masks per rank; DDP copies rank 0's initial weights

    tmp = None
    if args.quick:
        # every rank makes the same tiny folder (same seed) in its own directory
        tmp = tempfile.TemporaryDirectory(prefix=f"tiny_cifar2_rank{rank}_")
        data_dir = make_tiny_data(tmp.name)
        epochs = min(args.epochs, 3)
    else:
        data_dir = find_data_dir(args.data_dir)
        epochs = args.epochs

    def transform_label(x):
        return torch.tensor([x]).float()

    transform = transforms.Compose([transforms.ToTensor()])
    ds_train = datasets.ImageFolder(os.path.join(data_dir, "train"), transform=transform,
                                    target_transform=transform_label)
    ds_val = datasets.ImageFolder(os.path.join(data_dir, "test"), transform=transform,
                                  target_transform=transform_label)
    data = torch.utils.data
    sampler = data.DistributedSampler(ds_train, shuffle=True, seed=args.seed)  # world size and rank of the group
    dl_train = data.DataLoader(ds_train, batch_size=GLOBAL_BATCH // world, sampler=sampler)
    # validation: every image exactly once over all ranks (a DistributedSampler would pad with repeats)
    dl_val = data.DataLoader(data.Subset(ds_val, range(rank, len(ds_val), world)), batch_size=GLOBAL_BATCH)

    model = torch.nn.parallel.DistributedDataParallel(create_net(torch))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    os.makedirs(args.out_dir, exist_ok=True)
    checkpoint = os.path.join(args.out_dir, "checkpoint.pt")
    if rank == 0:
        print(f"data: {data_dir}; {world} rank(s), {GLOBAL_BATCH // world} images per rank and step")
        print(f"{'epoch':>5} {'loss':>8} {'acc':>7} {'val_loss':>9} {'val_acc':>8}")
    best_acc, best_epoch = -1.0, 0
    for epoch in range(1, epochs + 1):
        sampler.set_epoch(epoch)
        loss, acc = run_epoch(torch, model, dl_train, loss_fn, optimizer)
        val_loss, val_acc = run_epoch(torch, model, dl_val, loss_fn)
        if rank == 0:
            print(f"{epoch:>5} {loss:>8.4f} {acc:>7.4f} {val_loss:>9.4f} {val_acc:>8.4f}", flush=True)
        # the metrics are all-reduced, so every rank takes the same decisions
        if val_acc > best_acc:
            best_acc, best_epoch = val_acc, epoch
            if rank == 0:
                torch.save(model.module.state_dict(), checkpoint)
        elif epoch - best_epoch >= args.patience:
            break
    dist.barrier()  # the checkpoint is complete before any rank reads it
    model.module.load_state_dict(torch.load(checkpoint))
    if tmp is not None:
        tmp.cleanup()
    if rank == 0:
        watch.report()
        print(f"best val_acc={best_acc:.4f} (epoch {best_epoch})")
    dist.destroy_process_group()
    return best_acc


if __name__ == "__main__":
    main()
