"""The tutorial's nn-level code (sections 6.2.5 and 6.3) prints with numbatorch what it prints with PyTorch."""
import pytest

import numbatorch
from numbatorch import nn

from ._snippets import as_numbatorch, printed_alike, run

CUSTOM_LINEAR = '''
import torch
from torch import nn
import torch.nn.functional as F
class Linear(nn.Module):
    __constants__ = ['in_features', 'out_features']
    def __init__(self, in_features, out_features, bias=True):
        super(Linear, self).__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = nn.Parameter(torch.Tensor(out_features, in_features))
        if bias:
            self.bias = nn.Parameter(torch.Tensor(out_features))
        else:
            self.register_parameter('bias', None)
        self.reset_parameters()
    def reset_parameters(self):
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = nn.init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in)
            nn.init.uniform_(self.bias, -bound, bound)
    def forward(self, input):
        return F.linear(input, self.weight, self.bias)
    def extra_repr(self):
        return 'in_features={}, out_features={}, bias={}'.format(
            self.in_features, self.out_features, self.bias is not None
        )
linear = Linear(20, 30)
print(linear)
print(linear(torch.ones(128, 20)).shape)
print([name for name, _ in linear.named_parameters()])
nobias = Linear(3, 2, bias=False)
print(nobias, nobias.bias)
'''

LOSS_RELATIONS = '''
import torch
from torch import nn
import torch.nn.functional as F

y_pred = torch.tensor([5.0,3,10,-5,-3,-10.0])
y_true = torch.tensor([1.0,1,1,0,0,0])
bce = nn.BCELoss()(torch.sigmoid(y_pred),y_true)
print(bce)
bce_logits = nn.BCEWithLogitsLoss()(y_pred,y_true)
print(bce_logits)

y_pred = torch.tensor([[10.0,0.0,-10.0],[8.0,8.0,8.0]])
y_true = torch.tensor([0,2])
ce = nn.CrossEntropyLoss()(y_pred,y_true)
print(ce)
y_pred_logsoftmax = nn.LogSoftmax(dim = 1)(y_pred)
nll = nn.NLLLoss()(y_pred_logsoftmax,y_true)
print(nll)

y_pred = torch.tensor([[10.0,0.0,-10.0],[8.0,8.0,8.0]],requires_grad=True)
y_true = torch.tensor([0,2])
ce = nn.CrossEntropyLoss(reduction="mean")(y_pred,y_true)
print(ce)
pred = F.log_softmax(y_pred,dim=1)
target = F.one_hot(y_true).float()
kl = nn.KLDivLoss(reduction="batchmean")(pred,target)
print(kl)
'''

FOCAL_LOSS = '''
import torch
from torch import nn
class FocalLoss(nn.Module):
    def __init__(self,gamma=2.0,alpha=0.75):
        super().__init__()
        self.gamma = gamma
        self.alpha = alpha
    def forward(self,y_pred,y_true):
        bce = torch.nn.BCELoss(reduction = "none")(y_pred,y_true)
        p_t = (y_true * y_pred) + ((1 - y_true) * (1 - y_pred))
        alpha_factor = y_true * self.alpha + (1 - y_true) * (1 - self.alpha)
        modulating_factor = torch.pow(1.0 - p_t, self.gamma)
        loss = torch.mean(alpha_factor * modulating_factor * bce)
        return loss
y_pred_hard = torch.tensor([[0.5],[0.5]])
y_true_hard = torch.tensor([[1.0],[0.0]])
y_pred_easy = torch.tensor([[0.9],[0.1]])
y_true_easy = torch.tensor([[1.0],[0.0]])
focal_loss = FocalLoss()
bce_loss = nn.BCELoss()
print("focal_loss(easy samples):", focal_loss(y_pred_easy,y_true_easy))
print("bce_loss(easy samples):", bce_loss(y_pred_easy,y_true_easy))
print("focal_loss(hard samples):", focal_loss(y_pred_hard,y_true_hard))
print("bce_loss(hard samples):", bce_loss(y_pred_hard,y_true_hard))
'''

SCE = '''
import torch
from torch import nn
import torch.nn.functional as F
def ce(y,p):
    p = torch.clamp(p,min=1e-4,max=1-1e-4)
    y = torch.clamp(y,min=1e-4,max=1-1e-4)
    return -y*torch.log(p) - (1-y)*torch.log(1-p)
def rce(y,p):
    return ce(p,y)
y = torch.tensor(1.0)
p = torch.tensor(0.8)
print(rce(y,p)/ce(y,p))
y = torch.tensor(0.0)
p = torch.tensor(0.8)
print(rce(y,p)/ce(y,p))

class SCELoss(nn.Module):
    def __init__(self, num_classes=10, a=1, b=1):
        super(SCELoss, self).__init__()
        self.num_classes = num_classes
        self.a = a
        self.b = b
        self.cross_entropy = nn.CrossEntropyLoss()
    def forward(self, pred, labels):
        ce = self.cross_entropy(pred, labels)
        pred = F.softmax(pred, dim=1)
        pred = torch.clamp(pred, min=1e-4, max=1.0)
        label_one_hot = F.one_hot(labels, self.num_classes).float().to(pred.device)
        label_one_hot = torch.clamp(label_one_hot, min=1e-4, max=1.0)
        rce = (-1 * torch.sum(pred * torch.log(label_one_hot), dim=1))
        loss = self.a * ce + self.b * rce.mean()
        return loss
pred = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]], requires_grad=True)
loss = SCELoss(num_classes=3)(pred, torch.tensor([0, 1]))
loss.backward()
print(loss, pred.grad)
'''

REGULARISATION = '''
import torch
from torch import nn
def L2Loss(model,alpha):
    l2_loss = torch.tensor(0.0, requires_grad=True)
    for name, param in model.named_parameters():
        if 'bias' not in name:
            l2_loss = l2_loss + (0.5 * alpha * torch.sum(torch.pow(param, 2)))
    return l2_loss
def L1Loss(model,beta):
    l1_loss = torch.tensor(0.0, requires_grad=True)
    for name, param in model.named_parameters():
        if 'bias' not in name:
            l1_loss = l1_loss +  beta * torch.sum(torch.abs(param))
    return l1_loss
model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))
with torch.no_grad():
    for i, p in enumerate(model.parameters()):
        p.copy_(torch.linspace(-1, 1, p.numel()).reshape(p.shape) * (i + 1))
print(L2Loss(model, 0.001), L1Loss(model, 0.001))

weight_params = [param for name, param in model.named_parameters() if "bias" not in name]
bias_params = [param for name, param in model.named_parameters() if "bias" in name]
optimizer = torch.optim.SGD([{'params': weight_params, 'weight_decay':1e-5},
                             {'params': bias_params, 'weight_decay':0}],
                            lr=1e-2, momentum=0.9)
x = torch.linspace(-2, 2, 20).reshape(10, 2)
for _ in range(3):
    loss = model(x).pow(2).mean() + L2Loss(model, 0.001) + L1Loss(model, 0.001)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(loss, [p.detach() for p in model.parameters()][0])
'''


@pytest.mark.parametrize("code", [LOSS_RELATIONS, FOCAL_LOSS, SCE, REGULARISATION],
                         ids=["6.3.1-relations", "6.3.2-focal", "6.3.2-sce", "6.3.3-6.3.5-regularisation"])
def test_snippet_prints_what_pytorch_prints(code):
    nb_out, th_out = printed_alike(code)
    assert nb_out == th_out


def test_published_values_of_loss_snippets():
    out, _ = run(as_numbatorch(FOCAL_LOSS))
    for value in ("tensor(0.0005)", "tensor(0.1054)", "tensor(0.0866)", "tensor(0.6931)"):
        assert value in out
    out, _ = run(as_numbatorch(SCE))
    assert "tensor(8.2502)" in out and "tensor(4.5786)" in out
    out, _ = run(as_numbatorch(LOSS_RELATIONS))
    assert out.count("tensor(0.0184)") == 2 and out.count("0.5493") == 4


def test_custom_linear_runs_like_pytorch():
    nb_out, th_out = printed_alike(CUSTOM_LINEAR)
    assert nb_out == th_out
    _, ns = run(as_numbatorch(CUSTOM_LINEAR))
    # kaiming_uniform(a=sqrt(5)) on fan_in 20 gives U(-1/sqrt(20), 1/sqrt(20)), as nn.Linear does.
    weight = ns["linear"].weight.detach().numpy()
    assert abs(weight).max() <= 20 ** -0.5 and weight.std() > 0.1
    assert isinstance(ns["linear"], nn.Module) and ns["nobias"].bias is None
    assert numbatorch.Tensor(3, 4).shape == (3, 4)
