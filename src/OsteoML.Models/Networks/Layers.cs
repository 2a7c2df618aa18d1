using OsteoML.Models.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OsteoML.Models.Networks;

/// <summary>Reads trained weights out of TorchSharp modules for export.</summary>
internal static class Weights
{
    public static float[] Values(Tensor t) => t.detach().cpu().contiguous().data<float>().ToArray();

    public static ConvWeights Of(Conv3d conv) => new(
        (int)conv.out_channels, (int)conv.in_channels, (int)conv.kernel_size[0], Values(conv.weight!),
        conv.bias is null ? null : Values(conv.bias));

    public static ConvWeights Of(ConvTranspose3d conv) => new(
        (int)conv.out_channels, (int)conv.in_channels, (int)conv.kernel_size[0], Values(conv.weight!),
        conv.bias is null ? null : Values(conv.bias));

    public static BatchNormWeights Of(BatchNorm3d bn) => new(
        Values(bn.weight!), Values(bn.bias!), Values(bn.running_mean!), Values(bn.running_var!), bn.eps);
}

/// <summary>Conv(k, stride) → BatchNorm → optional ReLU; exported as one Conv with the batch norm folded in.</summary>
internal sealed class ConvBnRelu : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    private readonly Conv3d conv;
    private readonly BatchNorm3d bn;
    private readonly bool relu;
    private readonly int stride;
    private readonly int padding;

    public ConvBnRelu(int inChannels, int outChannels, int kernel, int stride = 1, bool relu = true)
        : base(nameof(ConvBnRelu))
    {
        this.stride = stride;
        padding = kernel == 3 ? 1 : 0;
        this.relu = relu;
        conv = nn.Conv3d(inChannels, outChannels, kernel, stride: stride, padding: padding, bias: false);
        bn = nn.BatchNorm3d(outChannels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var y = bn.forward(conv.forward(x));
        return relu ? nn.functional.relu(y) : y;
    }

    public string ExportOnnx(OnnxGraphBuilder graph, string input)
    {
        var y = graph.Conv(input, BatchNormFolding.Fold(Weights.Of(conv), Weights.Of(bn)), stride, padding);
        return relu ? graph.Relu(y) : y;
    }
}

/// <summary>2×2×2 stride-2 transposed convolution → BatchNorm → ReLU: doubles the resolution; exported folded.</summary>
internal sealed class UpConvBnRelu : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    private readonly ConvTranspose3d conv;
    private readonly BatchNorm3d bn;

    public UpConvBnRelu(int inChannels, int outChannels) : base(nameof(UpConvBnRelu))
    {
        conv = nn.ConvTranspose3d(inChannels, outChannels, 2, stride: 2, bias: false);
        bn = nn.BatchNorm3d(outChannels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => nn.functional.relu(bn.forward(conv.forward(x)));

    public string ExportOnnx(OnnxGraphBuilder graph, string input) =>
        graph.Relu(graph.ConvTranspose(input, BatchNormFolding.Fold(Weights.Of(conv), Weights.Of(bn), transposed: true), stride: 2));
}

/// <summary>
/// VB-Net's bottleneck residual block: 1×1×1 reduce to half the channels → 3×3×3 → 1×1×1 expand, added to the
/// input, then ReLU. The 1×1×1 convolutions make the 3×3×3 one four times cheaper than at full width.
/// </summary>
internal sealed class BottleneckResidual : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    private readonly ConvBnRelu reduce;
    private readonly ConvBnRelu conv;
    private readonly ConvBnRelu expand;

    public BottleneckResidual(int channels) : base(nameof(BottleneckResidual))
    {
        var inner = Math.Max(channels / 2, 1);
        reduce = new ConvBnRelu(channels, inner, 1);
        conv = new ConvBnRelu(inner, inner, 3);
        expand = new ConvBnRelu(inner, channels, 1, relu: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => nn.functional.relu(x + expand.forward(conv.forward(reduce.forward(x))));

    public string ExportOnnx(OnnxGraphBuilder graph, string input)
    {
        var branch = expand.ExportOnnx(graph, conv.ExportOnnx(graph, reduce.ExportOnnx(graph, input)));
        return graph.Relu(graph.Add(input, branch));
    }
}

/// <summary>Runs parts one after another, in the forward pass and in the export.</summary>
internal sealed class Chain : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> parts;

    public Chain(IEnumerable<nn.Module<Tensor, Tensor>> parts) : base(nameof(Chain))
    {
        this.parts = nn.ModuleList(parts.ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => parts.Aggregate(x, (value, part) => part.forward(value));

    public string ExportOnnx(OnnxGraphBuilder graph, string input) =>
        parts.Aggregate(input, (value, part) => ((IOnnxExportable)part).ExportOnnx(graph, value));
}
