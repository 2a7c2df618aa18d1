using OsteoML.Inference;
using OsteoML.Models.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OsteoML.Models.Networks;

/// <summary>Shape of a <see cref="VBNetLite"/>: channel width and residual blocks per resolution level.</summary>
public sealed record VBNetOptions
{
    public int InputChannels { get; init; } = 1;
    public int Classes { get; init; } = SegmentationClasses.Count;
    /// <summary>Channels per level. Level 0 works at half the input resolution (the stem is a 2×2×2 stride-2 convolution); each further level halves it again.</summary>
    public IReadOnlyList<int> Widths { get; init; } = [16, 32, 64, 96];
    /// <summary>Bottleneck residual blocks per encoder level.</summary>
    public IReadOnlyList<int> EncoderBlocks { get; init; } = [1, 2, 2, 2];
    /// <summary>Bottleneck residual blocks per decoder level (all levels but the deepest).</summary>
    public IReadOnlyList<int> DecoderBlocks { get; init; } = [1, 1, 1];
    /// <summary>Channels of the full-resolution head, before they meet the input again.</summary>
    public int HeadWidth { get; init; } = 8;
    /// <summary>Kernel of the full-resolution convolution over the upsampled features and the input (1 or 3). With 1 the
    /// class of a voxel sees only its own HU at full resolution, and body and disc boundaries are placed from the
    /// half-resolution features; 3 lets them follow the HU edges between neighbouring voxels.</summary>
    public int HeadKernel { get; init; } = 3;

    /// <summary>Input sizes must be multiples of this (the deepest level's stride).</summary>
    public int SizeMultiple => 1 << Widths.Count;

    /// <summary>
    /// Theoretical receptive field along one axis, in input voxels: the stem covers 2; each k×k×k convolution at
    /// cumulative stride j widens it by (k − 1)·j; each 2×2×2 stride-2 downsampling by j; transposed upsampling and
    /// 1×1×1 convolutions by nothing.
    /// </summary>
    public int ReceptiveFieldVoxels
    {
        get
        {
            int extent = 2, jump = 2;
            for (var level = 0; level < Widths.Count; level++)
            {
                if (level > 0)
                {
                    extent += jump;
                    jump *= 2;
                }
                extent += EncoderBlocks[level] * 2 * jump;
            }
            for (var level = Widths.Count - 2; level >= 0; level--)
            {
                jump /= 2;
                extent += DecoderBlocks[level] * 2 * jump;
            }
            return extent + HeadKernel - 1;
        }
    }

    public void Validate()
    {
        if (Widths.Count < 2 || EncoderBlocks.Count != Widths.Count || DecoderBlocks.Count != Widths.Count - 1)
            throw new ArgumentException("VB-Net options: need ≥ 2 widths, one encoder block count per level and one decoder block count per level but the deepest.");
        if (HeadKernel is not (1 or 3))
            throw new ArgumentException($"VB-Net options: head kernel must be 1 or 3, not {HeadKernel}.");
    }
}

/// <summary>
/// VB-Net-lite: a 3D V-Net-family encoder–decoder (after Han et al.'s VB-Net) for vertebra segmentation. A 2×2×2
/// stride-2 stem takes the input to half resolution, where the network does its work (3D convolutions at full
/// resolution cost most and, measured on CPU, run several times slower per FLOP). The encoder halves the resolution
/// per level with 2×2×2 stride-2 convolutions and widens the channels; every level runs bottleneck residual blocks;
/// the decoder doubles the resolution with transposed convolutions, concatenates the encoder's skip features, fuses
/// them with a 1×1×1 convolution and runs more residual blocks. The head returns to full resolution with a
/// transposed convolution, concatenates the input itself, runs one 3×3×3 convolution over both (so boundaries follow
/// the full-resolution HU edges) and maps to class logits with a 1×1×1 convolution; the exported model ends with a
/// softmax over classes.
/// </summary>
public sealed class VBNetLite : nn.Module<Tensor, Tensor>
{
    public const string InputName = "image";
    public const string OutputName = "probabilities";

    private readonly ConvBnRelu stem;
    private readonly ModuleList<Chain> encoder;
    private readonly ModuleList<ConvBnRelu> down;
    private readonly ModuleList<UpConvBnRelu> up;
    private readonly ModuleList<ConvBnRelu> fuse;
    private readonly ModuleList<Chain> decoder;
    private readonly UpConvBnRelu headUp;
    private readonly ConvBnRelu? refine;
    private readonly Conv3d head;

    public VBNetLite(VBNetOptions options) : base(nameof(VBNetLite))
    {
        options.Validate();
        Options = options;
        var w = options.Widths;
        stem = new ConvBnRelu(options.InputChannels, w[0], 2, stride: 2);
        encoder = nn.ModuleList(w.Select((width, level) => Blocks(width, options.EncoderBlocks[level])).ToArray());
        down = nn.ModuleList(Enumerable.Range(1, w.Count - 1).Select(l => new ConvBnRelu(w[l - 1], w[l], 2, stride: 2)).ToArray());
        up = nn.ModuleList(Enumerable.Range(0, w.Count - 1).Select(l => new UpConvBnRelu(w[l + 1], w[l])).ToArray());
        fuse = nn.ModuleList(Enumerable.Range(0, w.Count - 1).Select(l => new ConvBnRelu(2 * w[l], w[l], 1)).ToArray());
        decoder = nn.ModuleList(Enumerable.Range(0, w.Count - 1).Select(l => Blocks(w[l], options.DecoderBlocks[l])).ToArray());
        headUp = new UpConvBnRelu(w[0], options.HeadWidth);
        var headInputs = options.HeadWidth + options.InputChannels;
        refine = options.HeadKernel > 1 ? new ConvBnRelu(headInputs, options.HeadWidth, options.HeadKernel) : null;
        head = nn.Conv3d(refine is null ? headInputs : options.HeadWidth, options.Classes, 1);
        RegisterComponents();
    }

    public VBNetOptions Options { get; }

    /// <summary>Class logits, (N, classes, D, H, W) for an input (N, channels, D, H, W) with sizes multiple of <see cref="VBNetOptions.SizeMultiple"/>.</summary>
    public override Tensor forward(Tensor input)
    {
        var levels = Options.Widths.Count;
        var skips = new Tensor[levels - 1];
        var x = stem.forward(input);
        for (var level = 0; level < levels; level++)
        {
            if (level > 0)
                x = down[level - 1].forward(x);
            x = encoder[level].forward(x);
            if (level < levels - 1)
                skips[level] = x;
        }
        for (var level = levels - 2; level >= 0; level--)
        {
            x = torch.cat([skips[level], up[level].forward(x)], 1);
            x = decoder[level].forward(fuse[level].forward(x));
        }
        x = torch.cat([headUp.forward(x), input], 1);
        return head.forward(refine is null ? x : refine.forward(x));
    }

    /// <summary>The inference graph: <c>image</c> (N, 1, D, H, W) normalised HU → <c>probabilities</c> (N, classes, D, H, W).</summary>
    public OnnxExport ExportOnnx(string producerVersion, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var graph = new OnnxGraphBuilder("vbnet_lite");
        string[] dims = ["batch", "depth", "height", "width"];
        var input = graph.AddInput(InputName, [null, Options.InputChannels, null, null, null], [dims[0], "channels", dims[1], dims[2], dims[3]]);
        var levels = Options.Widths.Count;
        var skips = new string[levels - 1];
        var x = stem.ExportOnnx(graph, input);
        for (var level = 0; level < levels; level++)
        {
            if (level > 0)
                x = down[level - 1].ExportOnnx(graph, x);
            x = encoder[level].ExportOnnx(graph, x);
            if (level < levels - 1)
                skips[level] = x;
        }
        for (var level = levels - 2; level >= 0; level--)
        {
            x = graph.Concat([skips[level], up[level].ExportOnnx(graph, x)]);
            x = decoder[level].ExportOnnx(graph, fuse[level].ExportOnnx(graph, x));
        }
        x = graph.Concat([headUp.ExportOnnx(graph, x), input]);
        var logits = graph.Conv(refine is null ? x : refine.ExportOnnx(graph, x), Weights.Of(head), hint: "head");
        graph.AddOutput(graph.Softmax(logits), OutputName, [null, Options.Classes, null, null, null], [dims[0], "classes", dims[1], dims[2], dims[3]]);
        return graph.Build(producerVersion, "VB-Net-lite vertebra segmentation (OsteoML)", metadata);
    }

    private static Chain Blocks(int width, int count) =>
        new(Enumerable.Range(0, count).Select(_ => (nn.Module<Tensor, Tensor>)new BottleneckResidual(width)));
}
