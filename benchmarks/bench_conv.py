"""Convolution, pooling and batch-norm workloads: the tutorial's cifar2 network and single layers."""
from _common import Workload


def _cifar2_net(lib):
    nn = lib.nn
    lib.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 32, kernel_size=3), nn.MaxPool2d(2, 2),
        nn.Conv2d(32, 64, kernel_size=5), nn.MaxPool2d(2, 2),
        nn.Dropout2d(p=0.1), nn.AdaptiveMaxPool2d((1, 1)), nn.Flatten(),
        nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))


def cifar2_train_step(lib, batch=50):
    """Forward, BCEWithLogits, backward and Adam step of the cifar2 network on ``batch`` images."""
    net = _cifar2_net(lib)
    x = lib.randn(batch, 3, 32, 32)
    y = (lib.rand(batch, 1) > 0.5).float()
    loss_fn = lib.nn.BCEWithLogitsLoss()
    opt = lib.optim.Adam(net.parameters(), lr=0.01)

    def step():
        opt.zero_grad()
        loss_fn(net(x), y).backward()
        opt.step()
    return step


def cifar2_train_step_256(lib):
    """The cifar2 training step on 256 images."""
    return cifar2_train_step(lib, batch=256)


def cifar2_inference(lib):
    net = _cifar2_net(lib)
    net.eval()
    x = lib.randn(50, 3, 32, 32)

    def step():
        with lib.no_grad():
            net(x)
    return step


def conv_64_32_forward(lib):
    conv = lib.nn.Conv2d(64, 32, 3)
    x = lib.randn(8, 64, 128, 128)

    def step():
        with lib.no_grad():
            conv(x)
    return step


def conv_32_32_fwd_bwd(lib):
    conv = lib.nn.Conv2d(32, 32, 3, padding=1)
    x = lib.randn(16, 32, 64, 64, requires_grad=True)

    def step():
        conv(x).sum().backward()
        x.grad = None
        conv.zero_grad()
    return step


def batchnorm_forward(lib):
    bn = lib.nn.BatchNorm2d(16)
    x = lib.randn(32, 16, 128, 128)

    def step():
        with lib.no_grad():
            bn(x)
    return step


def maxpool_fwd_bwd(lib):
    pool = lib.nn.MaxPool2d(2, 2)
    x = lib.randn(16, 32, 64, 64, requires_grad=True)

    def step():
        pool(x).sum().backward()
        x.grad = None
    return step


WORKLOADS = [
    Workload("cifar2_train_step", cifar2_train_step, "cifar2 net fwd+BCE+bwd+Adam, batch 50x3x32x32",
             target_ratio=1.0),
    Workload("cifar2_train_step_256", cifar2_train_step_256, "cifar2 net fwd+BCE+bwd+Adam, batch 256x3x32x32",
             warmup=1, target_ratio=1.0),
    Workload("cifar2_inference", cifar2_inference, "cifar2 net forward (eval, no_grad), batch 50", target_ratio=1.5),
    Workload("conv2d_64_32_fwd", conv_64_32_forward, "Conv2d 64->32 k3 forward on 8x64x128x128",
             warmup=1, target_ratio=1.5),
    Workload("conv2d_32_32_fwd_bwd", conv_32_32_fwd_bwd, "Conv2d 32->32 k3 p1 fwd+bwd on 16x32x64x64",
             warmup=1, target_ratio=1.0),
    Workload("batchnorm2d_fwd", batchnorm_forward, "BatchNorm2d(16) train forward on 32x16x128x128",
             target_ratio=1.5),
    Workload("maxpool2d_fwd_bwd", maxpool_fwd_bwd, "MaxPool2d(2,2) fwd+bwd on 16x32x64x64", target_ratio=1.5),
]
