using OsteoML.Models.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OsteoML.Models.Networks;

/// <summary>Shape of a <see cref="DenseNetLite"/>.</summary>
public sealed record DenseNetOptions
{
    /// <summary>Normalised HU and the L1/L2 trabecular mask.</summary>
    public int InputChannels { get; init; } = 2;
    public int InitialFeatures { get; init; } = 32;
    /// <summary>Channels each dense layer adds (k in Huang et al.).</summary>
    public int GrowthRate { get; init; } = 12;
    /// <summary>Dense layers per dense block; a transition layer sits between blocks.</summary>
    public IReadOnlyList<int> BlockLayers { get; init; } = [4, 6, 6];
    /// <summary>Width of each dense layer's 1×1×1 bottleneck, in multiples of the growth rate (DenseNet-B).</summary>
    public int BottleneckFactor { get; init; } = 4;
    /// <summary>Fraction of channels a transition layer keeps (DenseNet-C's θ).</summary>
    public double Compression { get; init; } = 0.5;
    public int Classes { get; init; } = 3;

    /// <summary>Length of the exported feature vector: the channels after the last dense block.</summary>
    public int FeatureCount
    {
        get
        {
            var channels = InitialFeatures;
            for (var block = 0; block < BlockLayers.Count; block++)
            {
                channels += BlockLayers[block] * GrowthRate;
                if (block < BlockLayers.Count - 1)
                    channels = TransitionWidth(channels);
            }
            return channels;
        }
    }

    internal int TransitionWidth(int channels) => (int)Math.Floor(channels * Compression);
}

/// <summary>
/// DenseNet-lite: a 3D DenseNet-BC (Huang et al. 2017) over the fixed-size crop around L1–L2. A stride-2
/// convolution and a 2×2×2 max pooling (DenseNet's own stem, so the dense blocks run at 1/64 of the crop's voxels),
/// dense blocks whose layers (BN-ReLU-Conv1×1×1-BN-ReLU-Conv3×3×3) each add <see cref="DenseNetOptions.GrowthRate"/>
/// channels to everything before them, transition layers (BN-ReLU-Conv1×1×1, 2×2×2 average pooling) between
/// blocks, then BN-ReLU and global average pooling to the feature vector. Two training heads — standardised BMD
/// and three ACR-class logits — shape the features; only the feature extractor is exported.
/// </summary>
public sealed class DenseNetLite : nn.Module<Tensor, Tensor>
{
    public const string InputName = "crop";
    public const string OutputName = "features";

    private readonly ConvBnRelu stem;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> body;
    private readonly BatchNorm3d finalNorm;
    private readonly Linear bmdHead;
    private readonly Linear classHead;

    public DenseNetLite(DenseNetOptions options) : base(nameof(DenseNetLite))
    {
        Options = options;
        stem = new ConvBnRelu(options.InputChannels, options.InitialFeatures, 3, stride: 2);
        var parts = new List<nn.Module<Tensor, Tensor>>();
        var channels = options.InitialFeatures;
        for (var block = 0; block < options.BlockLayers.Count; block++)
        {
            for (var layer = 0; layer < options.BlockLayers[block]; layer++)
            {
                parts.Add(new DenseLayer(channels, options.GrowthRate, options.BottleneckFactor));
                channels += options.GrowthRate;
            }
            if (block < options.BlockLayers.Count - 1)
            {
                var next = options.TransitionWidth(channels);
                parts.Add(new Transition(channels, next));
                channels = next;
            }
        }
        body = nn.ModuleList(parts.ToArray());
        finalNorm = nn.BatchNorm3d(channels);
        bmdHead = nn.Linear(channels, 1);
        classHead = nn.Linear(channels, options.Classes);
        RegisterComponents();
    }

    public DenseNetOptions Options { get; }

    /// <summary>The feature vector (N, <see cref="DenseNetOptions.FeatureCount"/>) of crops (N, channels, D, H, W).</summary>
    public override Tensor forward(Tensor crop)
    {
        var stemmed = nn.functional.max_pool3d(stem.forward(crop), [2, 2, 2], [2, 2, 2]);
        var x = body.Aggregate(stemmed, (value, part) => part.forward(value));
        x = nn.functional.relu(finalNorm.forward(x));
        return nn.functional.adaptive_avg_pool3d(x, 1).flatten(1);
    }

    /// <summary>The training heads on a feature vector: standardised BMD (N) and class logits (N, classes).</summary>
    public (Tensor Bmd, Tensor ClassLogits) Heads(Tensor features) => (bmdHead.forward(features).squeeze(1), classHead.forward(features));

    /// <summary>The feature extractor: <c>crop</c> (1, channels, D, H, W) → <c>features</c> (1, F), fixed shapes as ApplyOnnxModel wants them.</summary>
    public OnnxExport ExportOnnx(int[] cropSize, string producerVersion, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var graph = new OnnxGraphBuilder("densenet_lite");
        var input = graph.AddInput(InputName, [1, Options.InputChannels, cropSize[0], cropSize[1], cropSize[2]]);
        var stemmed = graph.MaxPool(stem.ExportOnnx(graph, input), 2, 2);
        var x = body.Aggregate(stemmed, (value, part) => ((IOnnxExportable)part).ExportOnnx(graph, value));
        x = graph.Relu(graph.BatchNormalization(x, Weights.Of(finalNorm), "final_bn"));
        graph.AddOutput(graph.FlattenToVector(graph.GlobalAveragePool(x)), OutputName, [1, Options.FeatureCount]);
        return graph.Build(producerVersion, "DenseNet-lite L1–L2 feature extractor (OsteoML)", metadata);
    }

    /// <summary>BN-ReLU-Conv1×1×1 (bottleneck) - BN-ReLU-Conv3×3×3, concatenated to its input.</summary>
    private sealed class DenseLayer : nn.Module<Tensor, Tensor>, IOnnxExportable
    {
        private readonly BatchNorm3d norm1;
        private readonly Conv3d conv1;
        private readonly BatchNorm3d norm2;
        private readonly Conv3d conv2;

        public DenseLayer(int inChannels, int growth, int bottleneckFactor) : base(nameof(DenseLayer))
        {
            norm1 = nn.BatchNorm3d(inChannels);
            conv1 = nn.Conv3d(inChannels, bottleneckFactor * growth, 1, bias: false);
            norm2 = nn.BatchNorm3d(bottleneckFactor * growth);
            conv2 = nn.Conv3d(bottleneckFactor * growth, growth, 3, padding: 1, bias: false);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var y = conv1.forward(nn.functional.relu(norm1.forward(x)));
            y = conv2.forward(nn.functional.relu(norm2.forward(y)));
            return torch.cat([x, y], 1);
        }

        public string ExportOnnx(OnnxGraphBuilder graph, string input)
        {
            // norm1 reads a concatenation and feeds a ReLU, so it stays a BatchNormalization; norm2 directly
            // follows conv1 and folds into it.
            var y = graph.Relu(graph.BatchNormalization(input, Weights.Of(norm1)));
            y = graph.Relu(graph.Conv(y, BatchNormFolding.Fold(Weights.Of(conv1), Weights.Of(norm2))));
            y = graph.Conv(y, Weights.Of(conv2), padding: 1);
            return graph.Concat([input, y]);
        }
    }

    /// <summary>BN-ReLU-Conv1×1×1 to fewer channels, then 2×2×2 average pooling.</summary>
    private sealed class Transition : nn.Module<Tensor, Tensor>, IOnnxExportable
    {
        private readonly BatchNorm3d norm;
        private readonly Conv3d conv;

        public Transition(int inChannels, int outChannels) : base(nameof(Transition))
        {
            norm = nn.BatchNorm3d(inChannels);
            conv = nn.Conv3d(inChannels, outChannels, 1, bias: false);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) =>
            nn.functional.avg_pool3d(conv.forward(nn.functional.relu(norm.forward(x))), [2, 2, 2], [2, 2, 2]);

        public string ExportOnnx(OnnxGraphBuilder graph, string input) =>
            graph.AveragePool(graph.Conv(graph.Relu(graph.BatchNormalization(input, Weights.Of(norm))), Weights.Of(conv)), 2, 2);
    }
}
