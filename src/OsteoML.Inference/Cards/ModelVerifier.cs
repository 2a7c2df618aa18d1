using System.Security.Cryptography;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace OsteoML.Inference;

/// <summary>
/// Checks a model directory against its card: the ONNX file's sha256, opset, graph inputs and outputs (names,
/// element types, shapes), and that ONNX Runtime runs it on an input of the card's patch size and returns the
/// declared output shapes. Returns the problems found, one line each; none means verified.
/// </summary>
public static class ModelVerifier
{
    public const long MaxModelBytes = 20L * 1024 * 1024;

    public static IReadOnlyList<string> Verify(string directory)
    {
        var cardPath = Path.Combine(directory, ModelCard.FileName);
        if (!File.Exists(cardPath))
            return [$"{cardPath}: no model card"];
        ModelCard card;
        try
        {
            card = ModelCard.Read(cardPath);
        }
        catch (InvalidDataException ex)
        {
            return [ex.Message];
        }

        var onnxPath = Path.Combine(directory, card.File);
        if (!File.Exists(onnxPath))
            return [$"{onnxPath}: missing (named by {cardPath})"];
        var bytes = File.ReadAllBytes(onnxPath);
        var problems = new List<string>();
        var sha = Sha256(bytes);
        if (!string.Equals(sha, card.Sha256, StringComparison.OrdinalIgnoreCase))
            problems.Add($"{onnxPath}: sha256 {sha} does not match the card's {card.Sha256}");
        if (bytes.LongLength > MaxModelBytes)
            problems.Add($"{onnxPath}: {bytes.LongLength} bytes, over the {MaxModelBytes}-byte limit for shipped models");

        global::Onnx.ModelProto model;
        try
        {
            model = global::Onnx.ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException ex)
        {
            problems.Add($"{onnxPath}: not an ONNX model ({ex.Message})");
            return problems;
        }
        var opset = model.OpsetImport.FirstOrDefault(o => o.Domain == "")?.Version;
        if (opset != card.Opset)
            problems.Add($"{onnxPath}: opset {opset} but the card says {card.Opset}");
        CompareSpecs(onnxPath, "input", card.Inputs, model.Graph.Input.Where(i => model.Graph.Initializer.All(t => t.Name != i.Name)).ToList(), problems);
        CompareSpecs(onnxPath, "output", card.Outputs, model.Graph.Output.ToList(), problems);
        if (problems.Count == 0)
            problems.AddRange(RunOnce(onnxPath, bytes, card));
        return problems;
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static void CompareSpecs(string file, string kind, IReadOnlyList<TensorSpec> declared, IReadOnlyList<global::Onnx.ValueInfoProto> actual, List<string> problems)
    {
        if (declared.Count != actual.Count)
        {
            problems.Add($"{file}: {actual.Count} graph {kind}s ({string.Join(", ", actual.Select(a => a.Name))}) but the card declares {declared.Count}");
            return;
        }
        for (var i = 0; i < declared.Count; i++)
        {
            var spec = declared[i];
            var value = actual[i];
            var tensor = value.Type?.TensorType;
            var shape = tensor?.Shape?.Dim.Select(d => d.ValueCase == global::Onnx.TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue
                ? new Dimension(d.DimValue, null) : new Dimension(null, d.DimParam)).ToList() ?? [];
            var elementType = tensor is null ? "none" : ((global::Onnx.TensorProto.Types.DataType)tensor.ElemType).ToString().ToLowerInvariant();
            if (value.Name != spec.Name)
                problems.Add($"{file}: {kind} {i} is named '{value.Name}', the card says '{spec.Name}'");
            if (ElementTypeName(elementType) != spec.ElementType)
                problems.Add($"{file}: {kind} '{value.Name}' has element type {ElementTypeName(elementType)}, the card says {spec.ElementType}");
            if (!shape.SequenceEqual(spec.Shape))
                problems.Add($"{file}: {kind} '{value.Name}' has shape [{string.Join(", ", shape)}], the card says [{string.Join(", ", spec.Shape)}]");
        }
    }

    private static string ElementTypeName(string onnxName) => onnxName == "float" ? "float32" : onnxName;

    /// <summary>Runs the model once on zeros of the card's patch size and checks the output shapes it declares.</summary>
    private static IEnumerable<string> RunOnce(string file, byte[] bytes, ModelCard card)
    {
        var patch = card.Preprocessing.PatchSize;
        long Concrete(Dimension d, int axis, int rank) => d.Size ?? (axis >= rank - 3 ? patch[axis - (rank - 3)] : 1);
        using var session = OnnxRuntimeSessions.Open(bytes, threads: 1);
        var inputs = card.Inputs.Select(spec =>
        {
            var dims = spec.Shape.Select((d, axis) => (int)Concrete(d, axis, spec.Shape.Count)).ToArray();
            return NamedOnnxValue.CreateFromTensor(spec.Name, new DenseTensor<float>(dims));
        }).ToList();
        using var results = session.Run(inputs);
        var problems = new List<string>();
        foreach (var spec in card.Outputs)
        {
            var result = results.FirstOrDefault(r => r.Name == spec.Name);
            if (result is null)
            {
                problems.Add($"{file}: running it produced no output '{spec.Name}'");
                continue;
            }
            var got = result.AsTensor<float>().Dimensions.ToArray();
            var want = spec.Shape.Select((d, axis) => Concrete(d, axis, spec.Shape.Count)).ToArray();
            if (!got.Select(g => (long)g).SequenceEqual(want))
                problems.Add($"{file}: output '{spec.Name}' came out [{string.Join(", ", got)}] for a patch of [{string.Join(", ", patch)}], expected [{string.Join(", ", want)}]");
        }
        return problems;
    }
}
