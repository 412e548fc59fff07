"""Section 6.2: model layers (torch.nn).

Runs every layer family of the section and prints what the tutorial prints: basic layers (BatchNorm2d's
normalised channel, then one example each of Linear, Embedding, Flatten, BatchNorm1d, Dropout, Threshold,
padding and normalisation layers), convolution output sizes (plain, strided, padded, dilated, grouped,
separable, transposed) and upsampling, GRU/LSTM output shapes, MultiheadAttention with 8 and 16 heads, the
hand-written multi-head attention, and the custom Linear. Each part that fails is reported and skipped;
the last line is ``layer sections ok=<k>/<n>``.

    python tutorials/layers.py            # the tutorial's sizes (128x128 feature maps, 200-step sequences)
    python tutorials/layers.py --quick    # smaller inputs
"""
import math
import traceback
from copy import deepcopy

from _backend import Stopwatch, import_keras, import_torch, tutorial_parser


def basic_layers(torch, nn, size):
    print("== 6.2.1 basic layers ==")
    batch_size, channel, height, width = 32, 16, size, size
    tensor = torch.arange(0, batch_size * channel * height * width).view(batch_size, channel, height, width).float()
    bn = nn.BatchNorm2d(num_features=channel, affine=False)
    bn_out = bn(tensor)
    # mean and standard deviation of every pixel of the first channel
    channel_mean = torch.mean(bn_out[:, 0, :, :])
    channel_std = torch.std(bn_out[:, 0, :, :])
    print("channel mean:", channel_mean.item())  # 1.043081283569336e-07
    print("channel std:", channel_std.item())  # 1.0000009536743164
    assert abs(channel_mean.item()) < 1e-3 and abs(channel_std.item() - 1) < 1e-3

    x = torch.randn(4, 8)
    examples = [
        ("Linear(8, 3)", nn.Linear(8, 3), x),
        ("Embedding(10, 3)", nn.Embedding(10, 3), torch.tensor([[1, 2, 4], [4, 3, 9]])),
        ("Flatten()", nn.Flatten(), torch.randn(4, 2, 3, 3)),
        ("BatchNorm1d(8)", nn.BatchNorm1d(8), x),
        ("Dropout(0.5)", nn.Dropout(0.5), x),
        ("Dropout2d(0.5)", nn.Dropout2d(0.5), torch.randn(4, 3, 5, 5)),
        ("Threshold(0.1, 20)", nn.Threshold(0.1, 20.0), x),
        ("ConstantPad2d(2, 3.5)", nn.ConstantPad2d(2, 3.5), torch.randn(1, 2, 3, 3)),
        ("ReplicationPad1d(2)", nn.ReplicationPad1d(2), torch.randn(1, 2, 4)),
        ("ZeroPad2d(2)", nn.ZeroPad2d(2), torch.randn(1, 2, 3, 3)),
        ("GroupNorm(2, 4)", nn.GroupNorm(2, 4), torch.randn(2, 4, 3, 3)),
        ("LayerNorm(8)", nn.LayerNorm(8), x),
        ("InstanceNorm2d(3)", nn.InstanceNorm2d(3), torch.randn(2, 3, 5, 5)),
    ]
    for name, layer, inputs in examples:
        print(f"{name:<24} {tuple(inputs.shape)} -> {tuple(layer(inputs).shape)}")


def convolution_layers(torch, nn, size):
    F = nn.functional
    print("\n== 6.2.2 convolution layers ==")
    # output size o = (i + 2*p - k') // s + 1, with k' = d*(k-1) + 1 for a dilated kernel
    inputs = torch.arange(0, 25).view(1, 1, 5, 5).float()  # i = 5
    filters = torch.tensor([[[[1.0, 1], [1, 1]]]])  # k = 2
    outputs = F.conv2d(inputs, filters)  # o = (5+2*0-2)//1+1 = 4
    outputs_s2 = F.conv2d(inputs, filters, stride=2)  # o = (5+2*0-2)//2+1 = 2
    outputs_p1 = F.conv2d(inputs, filters, padding=1)  # o = (5+2*1-2)//1+1 = 6
    outputs_d2 = F.conv2d(inputs, filters, dilation=2)  # o = (5+2*0-(2(2-1)+1))//1+1 = 3
    for name, out, o in (("plain", outputs, 4), ("stride 2", outputs_s2, 2), ("padding 1", outputs_p1, 6),
                         ("dilation 2", outputs_d2, 3)):
        print(f"{name}: {tuple(out.shape)}")
        assert tuple(out.shape) == (1, 1, o, o)
    print(outputs)

    features = torch.randn(8, 64, size, size)
    print("features.shape:", features.shape)
    print("\n--conv--")
    conv = nn.Conv2d(in_channels=64, out_channels=32, kernel_size=3)
    conv_out = conv(features)
    print("conv_out.shape:", conv_out.shape)
    print("conv.weight.shape:", conv.weight.shape)
    print("\n--group conv--")
    conv_group = nn.Conv2d(in_channels=64, out_channels=32, kernel_size=3, groups=8)
    group_out = conv_group(features)
    print("group_out.shape:", group_out.shape)
    print("conv_group.weight.shape:", conv_group.weight.shape)
    print("\n--separable conv--")
    depth_conv = nn.Conv2d(in_channels=64, out_channels=64, kernel_size=3, groups=64)
    oneone_conv = nn.Conv2d(in_channels=64, out_channels=32, kernel_size=1)
    separable_conv = nn.Sequential(depth_conv, oneone_conv)
    separable_out = separable_conv(features)
    print("separable_out.shape:", separable_out.shape)
    print("depth_conv.weight.shape:", depth_conv.weight.shape)
    print("oneone_conv.weight.shape:", oneone_conv.weight.shape)
    print("\n--conv transpose--")
    conv_t = nn.ConvTranspose2d(in_channels=32, out_channels=64, kernel_size=3)
    features_like = conv_t(conv_out)
    print("features_like.shape:", features_like.shape)
    print("conv_t.weight.shape:", conv_t.weight.shape)
    assert tuple(features_like.shape) == tuple(features.shape)

    print("\n--upsample--")
    inputs = torch.arange(1, 5, dtype=torch.float32).view(1, 1, 2, 2)
    print("inputs:")
    print(inputs)
    nearest = nn.Upsample(scale_factor=2, mode='nearest')
    bilinear = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)
    print("nearest(inputs):")
    print(nearest(inputs))
    print("bilinear(inputs):")
    print(bilinear(inputs))


def recurrent_layers(torch, nn, keras, seq_len):
    print("\n== 6.2.3 recurrent layers ==")
    inputs = torch.randn(8, seq_len, 64)  # batch_size, seq_length, features
    gru = nn.GRU(input_size=64, hidden_size=32, num_layers=1, batch_first=True)
    gru_output, gru_hn = gru(inputs)
    print("--GRU--")
    print("gru_output.shape:", gru_output.shape)
    print("gru_hn.shape:", gru_hn.shape)
    print("--LSTM--")
    lstm = nn.LSTM(input_size=64, hidden_size=32, num_layers=1, batch_first=True)
    lstm_output, (lstm_hn, lstm_cn) = lstm(inputs)
    print("lstm_output.shape:", lstm_output.shape)
    print("lstm_hn.shape:", lstm_hn.shape)
    print("lstm_cn.shape:", lstm_cn.shape)
    keras.summary(gru, input_data=inputs)
    keras.summary(lstm, input_data=inputs)


def transformer_layers(torch, nn, keras, seq_len):
    print("\n== 6.2.4 Transformer layers ==")
    # MultiheadAttention's parameter count does not depend on the number of heads
    inputs = torch.randn(8, seq_len, 64)
    attention_h8 = nn.MultiheadAttention(embed_dim=64, num_heads=8, bias=True, batch_first=True)
    attention_h16 = nn.MultiheadAttention(embed_dim=64, num_heads=16, bias=True, batch_first=True)
    out_h8 = attention_h8(inputs, inputs, inputs)
    out_h16 = attention_h16(inputs, inputs, inputs)
    print("out_h8[0].shape:", out_h8[0].shape, "out_h16[0].shape:", out_h16[0].shape)
    keras.summary(attention_h8, input_data_args=(inputs, inputs, inputs))
    keras.summary(attention_h16, input_data_args=(inputs, inputs, inputs))
    count = [sum(p.numel() for p in m.parameters()) for m in (attention_h8, attention_h16)]
    assert count[0] == count[1], count


def handwritten_attention(torch, nn, seq_len):
    F = nn.functional
    print("\n== 6.2.4 a hand-written multi-head attention ==")

    class ScaledDotProductAttention(nn.Module):
        "Compute 'Scaled Dot Product Attention'"

        def __init__(self):
            super(ScaledDotProductAttention, self).__init__()

        def forward(self, query, key, value, mask=None, dropout=None):
            d_k = query.size(-1)
            scores = query @ key.transpose(-2, -1) / d_k ** 0.5
            if mask is not None:
                scores = scores.masked_fill(mask == 0, -1e20)
            p_attn = F.softmax(scores, dim=-1)
            if dropout is not None:
                p_attn = dropout(p_attn)
            return p_attn @ value, p_attn

    class MultiHeadAttention(nn.Module):
        def __init__(self, h, d_model, dropout=0.1):
            "Take in model size and number of heads."
            super(MultiHeadAttention, self).__init__()
            assert d_model % h == 0
            # We assume d_v always equals d_k
            self.d_k = d_model // h
            self.h = h
            self.linears = nn.ModuleList([deepcopy(nn.Linear(d_model, d_model)) for _ in range(4)])
            self.attn = None
            self.dropout = nn.Dropout(p=dropout)
            self.attention = ScaledDotProductAttention()

        def forward(self, query, key, value, mask=None):
            if mask is not None:
                # Same mask applied to all h heads.
                mask = mask.unsqueeze(1)
            nbatches = query.size(0)
            # 1) Do all the linear projections in batch from d_model => h x d_k
            query, key, value = \
                [l(x).view(nbatches, -1, self.h, self.d_k).transpose(1, 2)
                 for l, x in zip(self.linears, (query, key, value))]
            # 2) Apply attention on all the projected vectors in batch.
            x, self.attn = self.attention(query, key, value, mask=mask, dropout=self.dropout)
            # 3) "Concat" using a view and apply a final linear.
            x = x.transpose(1, 2).contiguous().view(nbatches, -1, self.h * self.d_k)
            return self.linears[-1](x)

    inputs = torch.randn(8, seq_len, 64)
    mha = MultiHeadAttention(h=8, d_model=64)
    mask = torch.ones(8, seq_len, seq_len).tril()  # causal mask
    out = mha(inputs, inputs, inputs, mask=mask)
    print("out.shape:", out.shape, "attn.shape:", mha.attn.shape)
    assert tuple(out.shape) == (8, seq_len, 64) and tuple(mha.attn.shape) == (8, 8, seq_len, seq_len)


def custom_linear(torch, nn):
    F = nn.functional
    print("\n== 6.2.5 a custom layer: Linear ==")

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
                self.in_features, self.out_features, self.bias is not None)

    linear = Linear(4, 2)
    print(linear)
    x = torch.randn(3, 4)
    y = linear(x)
    print("y.shape:", y.shape)
    reference = nn.Linear(4, 2)
    reference.load_state_dict(linear.state_dict())  # same parameter names as nn.Linear
    assert bool(torch.allclose(reference(x), y))
    print("same output as nn.Linear with the same weights: True")


def main(argv=None):
    parser = tutorial_parser("layers", __doc__)
    args = parser.parse_args(argv)
    watch = Stopwatch()
    torch = import_torch(args.backend)
    keras = import_keras(args.backend)
    nn = torch.nn
    torch.manual_seed(args.seed)
    size, seq_len = (16, 20) if args.quick else (128, 200)

    sections = [
        ("basic layers", lambda: basic_layers(torch, nn, size)),
        ("convolution layers", lambda: convolution_layers(torch, nn, size)),
        ("recurrent layers", lambda: recurrent_layers(torch, nn, keras, seq_len)),
        ("transformer layers", lambda: transformer_layers(torch, nn, keras, seq_len)),
        ("hand-written attention", lambda: handwritten_attention(torch, nn, seq_len)),
        ("custom Linear", lambda: custom_linear(torch, nn)),
    ]
    failed = []
    for name, run in sections:
        try:
            run()
        except Exception:
            failed.append(name)
            print(f"!! {name} failed:\n{traceback.format_exc()}")
    watch.report()
    if failed:
        print("failed sections:", ", ".join(failed))
    print(f"layer sections ok={len(sections) - len(failed)}/{len(sections)}")
    return not failed


if __name__ == "__main__":
    main()
