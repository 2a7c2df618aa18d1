using Google.Protobuf;
using Onnx;

namespace OsteoML.Models.Onnx;

/// <summary>An exported model and its convolution cost per input voxel (see <see cref="OnnxGraphBuilder.ConvFlopsPerInputVoxel"/>).</summary>
public sealed record OnnxExport(ModelProto Model, double ConvFlopsPerInputVoxel)
{
    public byte[] ToBytes() => Model.ToByteArray();
}

/// <summary>
/// Writes an ONNX graph (opset 17, IR version 8) node by node with OnnxSharp's protobuf types. Networks export
/// themselves through it (<see cref="IOnnxExportable"/>); each method adds one operator and returns the name of
/// its output, so an export reads like the forward pass it mirrors.
/// </summary>
public sealed class OnnxGraphBuilder
{
    public const int Opset = 17;
    /// <summary>IR version 8 is the one that goes with opset 17 (ONNX 1.12).</summary>
    public const long IrVersion = 8;

    private readonly GraphProto graph;
    private readonly Dictionary<string, int> counters = [];
    // Voxels of each value per input voxel (1 at the input's resolution, 1/8 after a stride-2 step), for FLOP counting.
    private readonly Dictionary<string, double> voxelFraction = [];

    /// <summary>
    /// Convolution FLOPs (2 per multiply–add) per voxel of the graph's spatial input: Σ 2·Cin·Cout·k³ × the layer's
    /// output voxels per input voxel. Element-wise operators (ReLU, Add, BatchNormalization) are left out; they are
    /// a few FLOPs per activation, under 1 % here.
    /// </summary>
    public double ConvFlopsPerInputVoxel { get; private set; }

    public OnnxGraphBuilder(string graphName) => graph = new GraphProto { Name = graphName };

    /// <summary>A float32 graph input; a null dimension is symbolic, named <c>dim{axis}</c> of this input.</summary>
    public string AddInput(string name, IReadOnlyList<long?> shape, IReadOnlyList<string>? symbolicNames = null)
    {
        graph.Input.Add(ValueInfo(name, shape, symbolicNames));
        voxelFraction[name] = 1;
        return name;
    }

    /// <summary>Declares <paramref name="value"/> a graph output under <paramref name="name"/> (an Identity when the names differ).</summary>
    public void AddOutput(string value, string name, IReadOnlyList<long?> shape, IReadOnlyList<string>? symbolicNames = null)
    {
        if (value != name)
            Node("Identity", [value], name);
        graph.Output.Add(ValueInfo(name, shape, symbolicNames));
    }

    /// <summary>A float32 constant with the given shape; returns its name.</summary>
    public string Initializer(string hint, float[] values, params long[] dims)
    {
        if (values.LongLength != dims.Aggregate(1L, (a, b) => a * b))
            throw new ArgumentException($"initializer {hint}: {values.Length} values do not fill shape [{string.Join(", ", dims)}]");
        var name = Unique(hint);
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        var bytes = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("ONNX raw data is little-endian.");
        tensor.RawData = ByteString.CopyFrom(bytes);
        graph.Initializer.Add(tensor);
        return name;
    }

    public string Conv(string input, ConvWeights weights, int stride = 1, int padding = 0, string hint = "conv")
    {
        var k = weights.KernelSize;
        var w = Initializer(hint + ".weight", weights.Weight, weights.OutChannels, weights.InChannels, k, k, k);
        List<string> inputs = [input, w];
        if (weights.Bias is not null)
            inputs.Add(Initializer(hint + ".bias", weights.Bias, weights.OutChannels));
        var output = Node("Conv", inputs, hint,
            Ints("kernel_shape", k, k, k), Ints("strides", stride, stride, stride),
            Ints("pads", padding, padding, padding, padding, padding, padding), Ints("dilations", 1, 1, 1), Int("group", 1));
        voxelFraction[output] = Fraction(input) / (stride * stride * stride);
        ConvFlopsPerInputVoxel += 2.0 * weights.InChannels * weights.OutChannels * k * k * k * voxelFraction[output];
        return output;
    }

    /// <summary>ConvTranspose; <paramref name="weights"/> is laid out (in, out, k, k, k) as in PyTorch and ONNX.</summary>
    public string ConvTranspose(string input, ConvWeights weights, int stride, string hint = "upconv")
    {
        var k = weights.KernelSize;
        var w = Initializer(hint + ".weight", weights.Weight, weights.InChannels, weights.OutChannels, k, k, k);
        List<string> inputs = [input, w];
        if (weights.Bias is not null)
            inputs.Add(Initializer(hint + ".bias", weights.Bias, weights.OutChannels));
        var output = Node("ConvTranspose", inputs, hint,
            Ints("kernel_shape", k, k, k), Ints("strides", stride, stride, stride), Ints("pads", 0, 0, 0, 0, 0, 0));
        // Each input voxel scatters a k³ block: Cin·Cout·k³ multiply–adds per input voxel of this layer.
        ConvFlopsPerInputVoxel += 2.0 * weights.InChannels * weights.OutChannels * k * k * k * Fraction(input);
        voxelFraction[output] = Fraction(input) * stride * stride * stride;
        return output;
    }

    /// <summary>Inference-mode batch normalisation (running statistics).</summary>
    public string BatchNormalization(string input, BatchNormWeights bn, string hint = "bn")
    {
        var c = bn.Mean.Length;
        return Node("BatchNormalization",
            [input, Initializer(hint + ".scale", bn.Gamma, c), Initializer(hint + ".bias", bn.Beta, c),
             Initializer(hint + ".mean", bn.Mean, c), Initializer(hint + ".var", bn.Var, c)],
            hint, Float("epsilon", (float)bn.Epsilon));
    }

    public string Relu(string input) => Node("Relu", [input], "relu");
    public string Add(string a, string b) => Node("Add", [a, b], "add");
    public string Concat(IEnumerable<string> inputs, int axis = 1) => Node("Concat", inputs.ToList(), "concat", Int("axis", axis));
    public string GlobalAveragePool(string input) => Node("GlobalAveragePool", [input], "gap");
    public string Softmax(string input, int axis = 1) => Node("Softmax", [input], "softmax", Int("axis", axis));

    public string AveragePool(string input, int kernel, int stride)
    {
        var output = Node("AveragePool", [input], "avgpool", Ints("kernel_shape", kernel, kernel, kernel), Ints("strides", stride, stride, stride));
        voxelFraction[output] = Fraction(input) / (stride * stride * stride);
        return output;
    }

    public string MaxPool(string input, int kernel, int stride)
    {
        var output = Node("MaxPool", [input], "maxpool", Ints("kernel_shape", kernel, kernel, kernel), Ints("strides", stride, stride, stride));
        voxelFraction[output] = Fraction(input) / (stride * stride * stride);
        return output;
    }

    /// <summary>Drops the trailing spatial axes of a globally pooled tensor: (N, C, 1, 1, 1) → (N, C).</summary>
    public string FlattenToVector(string input) => Node("Flatten", [input], "flatten", Int("axis", 1));

    public OnnxExport Build(string producerVersion, string docString, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "OsteoML",
            ProducerVersion = producerVersion,
            DocString = docString,
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return new OnnxExport(model, ConvFlopsPerInputVoxel);
    }

    private string Node(string opType, List<string> inputs, string hint, params AttributeProto[] attributes)
    {
        var output = Unique(hint);
        var node = new NodeProto { OpType = opType, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        if (inputs.Count > 0)
            voxelFraction[output] = Fraction(inputs[0]);
        return output;
    }

    private double Fraction(string value) => voxelFraction.GetValueOrDefault(value, 0);

    private string Unique(string hint)
    {
        counters.TryGetValue(hint, out var n);
        counters[hint] = n + 1;
        return n == 0 ? hint : $"{hint}_{n}";
    }

    private static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    private static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    private static ValueInfoProto ValueInfo(string name, IReadOnlyList<long?> shape, IReadOnlyList<string>? symbolicNames)
    {
        var tensorShape = new TensorShapeProto();
        for (var axis = 0; axis < shape.Count; axis++)
        {
            tensorShape.Dim.Add(shape[axis] is { } size
                ? new TensorShapeProto.Types.Dimension { DimValue = size }
                : new TensorShapeProto.Types.Dimension { DimParam = symbolicNames?[axis] ?? $"{name}_dim{axis}" });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = tensorShape },
            },
        };
    }
}
