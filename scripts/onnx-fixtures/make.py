#!/usr/bin/python3
"""PyTorch side of the ONNX import fixtures (onnx/testdata/import/).

Run (Debian's python3-torch 1.13 and python3-onnx; CI does not need them,
the outputs are committed):

    go run ./scripts/onnx-fixtures/bank -out /tmp/bank   # 10k train + 1k val pairs of the bank
    /usr/bin/python3 scripts/onnx-fixtures/make.py onnx/testdata/import /tmp/bank

Everything is seeded (torch.manual_seed, one thread); a re-run writes the
same bytes. It writes:
  avmnist-{image,audio,inter}.onnx  the paper's AV-MNIST experts (Madaan et
      al., NeurIPS 2024, sec. 5; LeNet conv encoders with batch-norm and an MLP
      head per modality, the late-fusion inter expert), each trained briefly
      (one epoch over 10k training pairs, SGD, batch 40, clipping 8, as the
      paper's unimodal pre-training), one graph each
  avmnist-all.onnx  the same three experts as one graph, an output per expert
  avmnist.json      inputs and PyTorch's logits / log-probs for them
  op-*.onnx + ops.json        one small expert per supported op, with outputs
  refuse-*.onnx + refused.json graphs the importer must refuse, and the node
"""
import json
import os
import sys

import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

OPSET = 13
OUT = sys.argv[1] if len(sys.argv) > 1 else "onnx/testdata/import"
BANK = sys.argv[2] if len(sys.argv) > 2 else None
torch.set_num_threads(1)  # reproducible sums


def load_split(split):
    """The pairs bank/main.go wrote: images [n,1,28,28], audio [n,1,40,40] in [0,1], labels."""
    def u8(kind):
        with open(f"{BANK}/{split}-{kind}.u8", "rb") as f:
            return torch.frombuffer(bytearray(f.read()), dtype=torch.uint8)
    img, aud, lab = u8("images"), u8("audio"), u8("labels")
    n = lab.numel()
    return img.float().div(255).reshape(n, 1, 28, 28), aud.float().div(255).reshape(n, 1, 40, 40), lab.long()


def train(m, args, labels, seed):
    """One epoch of SGD (lr 0.05, momentum 0.9, batch 40, gradient-norm clipping 8)."""
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9)
    m.train()
    perm = torch.randperm(labels.numel(), generator=g)
    for i in range(0, labels.numel(), 40):
        idx = perm[i:i + 40]
        loss = F.cross_entropy(m(*[a[idx] for a in args]), labels[idx])
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(m.parameters(), 8)
        opt.step()
    m.eval()


def randomize_bn(m, g):
    """Give every batch-norm non-trivial running statistics and affine
    parameters, so that folding them is actually tested."""
    for mod in m.modules():
        if isinstance(mod, (nn.BatchNorm1d, nn.BatchNorm2d)):
            n = mod.num_features
            mod.running_mean.copy_(torch.rand(n, generator=g) - 0.5)
            mod.running_var.copy_(torch.rand(n, generator=g) + 0.5)
            mod.weight.data.copy_(torch.rand(n, generator=g) + 0.5)
            mod.bias.data.copy_(torch.rand(n, generator=g) - 0.5)


class LeNet(nn.Module):
    """LeNet encoder as the reference code writes it for AV-MNIST: conv 5x5
    pad 2 (no bias) -> batch-norm -> ReLU -> max-pool 2, then `blocks` times
    conv 3x3 pad 1 doubling the channels -> BN -> ReLU -> max-pool 2."""

    def __init__(self, c, blocks):
        super().__init__()
        convs = [nn.Conv2d(1, c, 5, padding=2, bias=False)]
        bns = [nn.BatchNorm2d(c)]
        for i in range(blocks):
            convs.append(nn.Conv2d(c << i, c << (i + 1), 3, padding=1, bias=False))
            bns.append(nn.BatchNorm2d(c << (i + 1)))
        self.convs, self.bns = nn.ModuleList(convs), nn.ModuleList(bns)

    def forward(self, x):
        for conv, bn in zip(self.convs, self.bns):
            x = F.max_pool2d(F.relu(bn(conv(x))), 2)
        return x


class MLP(nn.Module):
    def __init__(self, i, h, o, dropout=False):
        super().__init__()
        self.fc, self.fc2 = nn.Linear(i, h), nn.Linear(h, o)
        self.dropout = nn.Dropout(0.1) if dropout else nn.Identity()

    def forward(self, x):
        return self.fc2(self.dropout(F.relu(self.fc(x))))


class Intra(nn.Module):
    """Unimodal expert; `view` flattens with x.view(x.size(0), -1), which
    torch exports as Shape/Gather/Unsqueeze/Concat/Reshape under a dynamic
    batch; `log_softmax` ends the graph with LogSoftmax."""

    def __init__(self, blocks, view=False, log_softmax=False, dropout=False):
        super().__init__()
        self.enc, self.head = LeNet(3, blocks), MLP(3 << blocks, 100, 10, dropout)
        self.view, self.log_softmax = view, log_softmax

    def forward(self, x):
        h = self.enc(x)
        h = h.view(h.size(0), -1) if self.view else torch.flatten(h, 1)
        y = self.head(h)
        return F.log_softmax(y, dim=1) if self.log_softmax else y


class Inter(nn.Module):
    """Late-fusion inter expert: one LeNet per modality (c = 6), outputs
    flattened and concatenated, then an MLP."""

    def __init__(self):
        super().__init__()
        self.img, self.aud = LeNet(6, 3), LeNet(6, 4)
        self.head = MLP(48 + 96, 100, 10)

    def forward(self, img, aud):
        return self.head(torch.cat([torch.flatten(self.img(img), 1), torch.flatten(self.aud(aud), 1)], dim=1))


class All(nn.Module):
    def __init__(self, image, audio, inter):
        super().__init__()
        self.image, self.audio, self.inter = image, audio, inter

    def forward(self, image, audio):
        a, b, c = self.image(image), self.audio(audio), self.inter(image, audio)
        return a, b, c, F.log_softmax(a + b + c, dim=1)


def export(m, args, names, outs, path, fold=True):
    """fold=False keeps what torch would fold at export: the shape arithmetic
    of `view` and the BatchNormalization nodes (TrainingMode.PRESERVE of a
    model in eval mode keeps them as inference batch-norms)."""
    dyn = {n: {0: "N"} for n in names + outs}
    mode = torch.onnx.TrainingMode.EVAL if fold else torch.onnx.TrainingMode.PRESERVE
    torch.onnx.export(m, args, path, input_names=names, output_names=outs, dynamic_axes=dyn,
                      opset_version=OPSET, do_constant_folding=fold, training=mode)
    onnx.checker.check_model(onnx.load(path))


def floats(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def ops_of(path):
    return sorted({n.op_type for n in onnx.load(path).graph.node})


def avmnist():
    torch.manual_seed(2024)
    image = Intra(3)
    audio = Intra(4, view=True, log_softmax=True, dropout=True)
    inter = Inter()
    ti, ta, tl = load_split("train")
    vi, va, vl = load_split("val")
    train(image, (ti,), tl, 1)
    train(audio, (ta,), tl, 2)
    train(inter, (ti, ta), tl, 3)
    n = 3  # reference samples: the first validation pairs
    x_img, x_aud = vi[:n], va[:n]
    export(image, (x_img,), ["image"], ["logits"], f"{OUT}/avmnist-image.onnx")
    # The audio expert keeps its BatchNormalization nodes and the raw shape
    # arithmetic (no constant folding at export), so the importer folds both.
    export(audio, (x_aud,), ["x"], ["log_probs"], f"{OUT}/avmnist-audio.onnx", fold=False)
    export(inter, (x_img, x_aud), ["img", "aud"], ["logits"], f"{OUT}/avmnist-inter.onnx")
    both = All(image, audio, inter).eval()
    export(both, (x_img, x_aud), ["image", "audio"], ["logits_image", "logits_audio", "logits_inter", "log_probs"],
           f"{OUT}/avmnist-all.onnx")
    with torch.no_grad():
        ai, aa, ax = image(vi), audio(va), inter(vi, va)
        acc = lambda z: float((z.argmax(1) == vl).float().mean())
        val_acc = {"image": acc(ai), "audio": acc(aa), "inter": acc(ax), "intra_only": acc(ai + aa), "i2m2": acc(ai + aa + ax)}
        li, la, lx = ai[:n], aa[:n], ax[:n]
        ref = {
            "classes": [str(i) for i in range(10)],
            "modalities": [{"name": "image", "shape": [1, 28, 28]}, {"name": "audio", "shape": [1, 40, 40]}],
            "val_acc": val_acc,
            "samples": [],
        }
        for i in range(n):
            s = {
                "inputs": {"image": floats(x_img[i]), "audio": floats(x_aud[i])},
                "experts": {
                    "image": floats(F.log_softmax(li[i], 0)),
                    "audio": floats(F.log_softmax(la[i], 0)),
                    "inter": floats(F.log_softmax(lx[i], 0)),
                },
                "product": floats(F.log_softmax(li[i] + la[i] + lx[i], 0)),
                "intra_only": floats(F.log_softmax(li[i] + la[i], 0)),
            }
            ref["samples"].append(s)
    print("validation accuracy (first %d val pairs):" % vl.numel(), val_acc)
    ref["ops"] = {k: ops_of(f"{OUT}/avmnist-{k}.onnx") for k in ("image", "audio", "inter", "all")}
    with open(f"{OUT}/avmnist.json", "w") as f:
        json.dump(ref, f, separators=(",", ":"))


class Tiny(nn.Module):
    """A one-op expert: body (the op under test) on a [2, 7, 6] input, then
    Flatten and a Linear to 3 classes (the model format wants a dense head)."""

    def __init__(self, body, feat, view=False):
        super().__init__()
        self.body, self.fc, self.view = body, nn.Linear(feat, 3), view

    def forward(self, x):
        h = self.body(x)
        h = h.view(h.size(0), -1) if self.view else torch.flatten(h, 1)
        return self.fc(h)


class Squeezed(nn.Module):
    """The reference code's LeNet ends with out.squeeze() on [N, C, 1, 1]."""

    def __init__(self):
        super().__init__()
        self.conv, self.pool, self.fc = nn.Conv2d(2, 4, 3), nn.MaxPool2d(4), nn.Linear(4, 3)

    def forward(self, x):
        return self.fc(self.pool(F.relu(self.conv(x))).squeeze())


class MatMulAdd(nn.Module):
    def __init__(self, i, o):
        super().__init__()
        self.w, self.b = nn.Parameter(torch.randn(i, o) / i ** 0.5), nn.Parameter(torch.randn(o))

    def forward(self, x):
        return torch.matmul(torch.flatten(x, 1), self.w) + self.b


class Head(nn.Module):
    """Flatten, then `mid` (Linear-based), for ops on vectors."""

    def __init__(self, mid, last=None):
        super().__init__()
        self.mid, self.last = mid, last

    def forward(self, x):
        y = self.mid(torch.flatten(x, 1))
        return self.last(y) if self.last is not None else y


class Concat2(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b, self.fc = nn.Conv2d(2, 3, 3), nn.Conv2d(1, 2, 1), nn.Linear(3 * 5 * 4 + 2 * 4 * 4, 3)

    def forward(self, x, y):
        return self.fc(torch.cat([torch.flatten(F.relu(self.a(x)), 1), torch.flatten(self.b(y), 1)], 1))


def op_fixtures():
    torch.manual_seed(7)
    g = torch.Generator().manual_seed(7)
    S = (2, 7, 6)
    cases = {
        "conv": (Tiny(nn.Conv2d(2, 4, 3, stride=2, padding=1), 4 * 4 * 3), True),
        "conv-nobias-bn": (Tiny(nn.Sequential(nn.Conv2d(2, 4, 3, bias=False), nn.BatchNorm2d(4)), 4 * 5 * 4), False),
        "relu": (Tiny(nn.ReLU(), 84), True),
        "maxpool": (Tiny(nn.MaxPool2d(3, stride=2), 2 * 3 * 2), True),
        "maxpool-rect": (Tiny(nn.MaxPool2d((2, 3), stride=1), 2 * 6 * 4), True),
        "avgpool": (Tiny(nn.AvgPool2d(3, stride=2, padding=1), 2 * 4 * 3), True),
        "avgpool-2x2": (Tiny(nn.AvgPool2d(2), 2 * 3 * 3), True),
        "globalavgpool": (Tiny(nn.AdaptiveAvgPool2d(1), 2), True),
        "flatten": (Tiny(nn.Identity(), 84), True),
        "reshape-view": (Tiny(nn.Conv2d(2, 2, 1), 84, view=True), False),
        "squeeze": (Squeezed(), True),
        "gemm": (Head(nn.Linear(84, 3)), True),
        "matmul-add": (MatMulAdd(84, 3), True),
        "batchnorm1d": (Head(nn.Sequential(nn.Linear(84, 5), nn.BatchNorm1d(5), nn.ReLU(), nn.Linear(5, 3))), False),
        "softmax": (Head(nn.Linear(84, 3), nn.Softmax(dim=1)), True),
        "logsoftmax": (Head(nn.Linear(84, 3), nn.LogSoftmax(dim=1)), True),
    }
    ref = {}
    for name, (m, fold) in cases.items():
        randomize_bn(m, g)
        m.eval()
        x = torch.rand(2, *S, generator=g) * 2 - 1
        path = f"{OUT}/op-{name}.onnx"
        export(m, (x,), ["x"], ["y"], path, fold=fold)
        with torch.no_grad():
            y = m(x)
            lp = torch.log(y) if name == "softmax" else F.log_softmax(y, 1)
        ref[name] = {"shape": list(S), "inputs": [floats(v) for v in x], "log_probs": [floats(v) for v in lp],
                     "ops": ops_of(path)}
    # Identity and Dropout do not survive torch's export of an eval-mode
    # model: write them with onnx.helper.
    ref["identity-dropout"] = identity_fixture(g, S)
    # Two inputs, Concat (late fusion), as a separate expert.
    m = Concat2().eval()
    x, y = torch.rand(2, 2, 7, 6, generator=g), torch.rand(2, 1, 4, 4, generator=g)
    path = f"{OUT}/op-concat.onnx"
    export(m, (x, y), ["x", "y"], ["out"], path)
    with torch.no_grad():
        lp = F.log_softmax(m(x, y), 1)
    ref["concat"] = {"inputs2": {"x": [floats(v) for v in x], "y": [floats(v) for v in y]},
                     "shapes": {"x": [2, 7, 6], "y": [1, 4, 4]}, "log_probs": [floats(v) for v in lp], "ops": ops_of(path)}
    with open(f"{OUT}/ops.json", "w") as f:
        json.dump(ref, f, separators=(",", ":"))


def identity_fixture(g, S):
    w = torch.randn(3, 84, generator=g) * 0.1
    b = torch.randn(3, generator=g)
    x = torch.rand(2, *S, generator=g)
    nodes = [
        helper.make_node("Identity", ["x"], ["x1"], name="id0"),
        helper.make_node("Flatten", ["x1"], ["f"], name="flat", axis=1),
        helper.make_node("Dropout", ["f"], ["f1"], name="drop", ratio=0.5),
        helper.make_node("Gemm", ["f1", "W", "B"], ["y"], name="fc", transB=1),
    ]
    graph = helper.make_graph(nodes, "identity",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", *S])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3])],
                              [numpy_helper.from_array(w.numpy(), "W"), numpy_helper.from_array(b.numpy(), "B")])
    path = f"{OUT}/op-identity-dropout.onnx"
    mp = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)])  # Dropout's ratio attribute
    onnx.checker.check_model(mp)
    onnx.save(mp, path)
    lp = F.log_softmax(torch.flatten(x, 1) @ w.T + b, 1)
    return {"shape": list(S), "inputs": [floats(v) for v in x], "log_probs": [floats(v) for v in lp], "ops": ops_of(path)}


class Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 2, 3, padding=1)

    def forward(self, x):
        return x + self.conv(x)


class SoftmaxMid(nn.Module):
    def forward(self, x):
        return torch.softmax(x, dim=1)


class BNAfterReLU(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv, self.bn = nn.Conv2d(2, 4, 3), nn.BatchNorm2d(4)

    def forward(self, x):
        return self.bn(F.relu(self.conv(x)))


def refused_fixtures():
    torch.manual_seed(11)
    cases = {
        "conv-groups": (Tiny(nn.Conv2d(2, 4, 3, groups=2), 4 * 5 * 4), True, "Conv"),
        "conv-dilation": (Tiny(nn.Conv2d(2, 4, 3, dilation=2), 4 * 3 * 2), True, "Conv"),
        "conv-asym-pad": (Tiny(nn.Conv2d(2, 4, 3, padding=(1, 0)), 4 * 7 * 4), True, "Conv"),
        "sigmoid": (Tiny(nn.Sigmoid(), 84), True, "Sigmoid"),
        "residual-add": (Tiny(Residual(), 84), True, "Add"),
        "maxpool-ceil": (Tiny(nn.MaxPool2d(2, ceil_mode=True), 2 * 4 * 3), True, "MaxPool"),
        "softmax-middle": (Tiny(SoftmaxMid(), 84), True, "Softmax"),
        "bn-after-relu": (Tiny(BNAfterReLU(), 4 * 5 * 4), False, "BatchNormalization"),
    }
    ref = {}
    for name, (m, fold, op) in cases.items():
        m.eval()
        x = torch.rand(2, 2, 7, 6)
        path = f"{OUT}/refuse-{name}.onnx"
        export(m, (x,), ["x"], ["y"], path, fold=fold)
        nodes = [n for n in onnx.load(path).graph.node if n.op_type == op]
        ref[name] = {"op": op, "node": nodes[0].name, "ops": ops_of(path)}
    with open(f"{OUT}/refused.json", "w") as f:
        json.dump(ref, f, indent=1)


if __name__ == "__main__":
    if BANK is None:
        sys.exit(__doc__)
    os.makedirs(OUT, exist_ok=True)
    print("torch", torch.__version__, "onnx", onnx.__version__, "opset", OPSET)
    avmnist()
    op_fixtures()
    refused_fixtures()
    for f in sorted(os.listdir(OUT)):
        print(f"{os.path.getsize(os.path.join(OUT, f)):8d} {f}")
