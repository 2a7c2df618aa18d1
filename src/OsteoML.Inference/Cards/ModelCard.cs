using System.Text.Json;
using System.Text.Json.Serialization;

namespace OsteoML.Inference;

/// <summary>
/// <c>card.json</c> beside a shipped <c>model.onnx</c>: the IO contract, how to prepare the input, what the outputs
/// mean, how the model was trained and how well it did. The pipeline reads it; <c>osteoml models verify</c> checks
/// the file against it.
/// </summary>
public sealed record ModelCard
{
    public const string FileName = "card.json";
    public const string OnnxFileName = "model.onnx";

    /// <summary>The ONNX opset our exporter writes.</summary>
    public const int DefaultOpset = 17;

    public required string Name { get; init; }
    public required string Description { get; init; }
    public required string Task { get; init; }
    public string Format { get; init; } = "onnx";
    public int Opset { get; init; } = DefaultOpset;
    public string File { get; init; } = OnnxFileName;
    public required string Sha256 { get; init; }
    public long SizeBytes { get; init; }
    public string License { get; init; } = "MIT";
    public required IReadOnlyList<TensorSpec> Inputs { get; init; }
    public required IReadOnlyList<TensorSpec> Outputs { get; init; }
    public required Preprocessing Preprocessing { get; init; }
    /// <summary>Output channel names (segmentation) or feature meaning (extractor).</summary>
    public IReadOnlyList<string> Classes { get; init; } = [];
    /// <summary>How the pipeline turns the outputs into what it needs (e.g. the level-counting rule).</summary>
    public IReadOnlyDictionary<string, JsonElement> Postprocessing { get; init; } = new Dictionary<string, JsonElement>();
    public required Architecture Architecture { get; init; }
    public required TrainingRecord Training { get; init; }
    /// <summary>Split name → metric name → value; per-site values are named <c>metric@site</c>.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Metrics { get; init; } = new Dictionary<string, IReadOnlyDictionary<string, double>>();

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new DimensionConverter() },
    };

    /// <summary>The card of the model folder <paramref name="directory"/> (its <see cref="FileName"/>).</summary>
    public static ModelCard ReadFolder(string directory) => Read(Path.Combine(directory, FileName));

    public static ModelCard Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<ModelCard>(System.IO.File.ReadAllText(path), Json)
                   ?? throw new InvalidDataException($"{path}: empty model card");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: not a valid model card ({ex.Message})");
        }
    }

    public void Write(string path) => System.IO.File.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");
}

/// <summary>A graph input or output: name, element type and shape; a symbolic dimension is a string.</summary>
public sealed record TensorSpec(string Name, string ElementType, IReadOnlyList<Dimension> Shape);

/// <summary>A tensor dimension: a fixed size, or a symbolic name the caller chooses at run time.</summary>
public readonly record struct Dimension(long? Size, string? Symbol)
{
    public static implicit operator Dimension(long size) => new(size, null);
    public static implicit operator Dimension(string symbol) => new(null, symbol);
    public override string ToString() => Size?.ToString() ?? Symbol ?? "?";
}

/// <summary>What to do to a CT volume before the model sees it.</summary>
public sealed record Preprocessing
{
    /// <summary>Axis order and direction of the input array.</summary>
    public string Orientation { get; init; } = "LPS canonical: array axes (D, H, W) run inferior→superior, anterior→posterior, right→left (a volume with identity direction, axes (k, j, i))";
    /// <summary>Voxel size (D, H, W) in mm after resampling (trilinear for HU).</summary>
    public required double[] SpacingMm { get; init; }
    public required HuWindow Hu { get; init; }
    /// <summary>Sliding-window patch (segmentation) or fixed crop (extractor), (D, H, W) voxels at <see cref="SpacingMm"/>.</summary>
    public required int[] PatchSize { get; init; }
    /// <summary>Spatial sizes the network accepts must be multiples of this.</summary>
    public int SizeMultiple { get; init; } = 1;
    /// <summary>Free-text details: the crop's centre and channels, the window overlap and weighting.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>x = (clip(HU, Min, Max) − Center) / Scale.</summary>
public sealed record HuWindow(double Min, double Max, double Center, double Scale);

public sealed record Architecture(string Family, string Summary, long Parameters, double GigaFlopsPerInput, string InputForFlops, int? ReceptiveFieldVoxels);

public sealed record TrainingRecord
{
    public required string Preset { get; init; }
    public required int Seed { get; init; }
    public string Split { get; init; } = "train";
    public required int Cases { get; init; }
    public required int Steps { get; init; }
    public required int BatchSize { get; init; }
    /// <summary>Training samples seen divided by training cases.</summary>
    public required double Epochs { get; init; }
    public required double WallTimeMinutes { get; init; }
    public required string Machine { get; init; }
    public required double FirstLoss { get; init; }
    public required double FinalLoss { get; init; }
    public IReadOnlyList<string> Augmentation { get; init; } = [];
    public string? Notes { get; init; }
}

/// <summary>Reads and writes <see cref="Dimension"/> as a JSON number or string.</summary>
internal sealed class DimensionConverter : JsonConverter<Dimension>
{
    public override Dimension Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Number => reader.GetInt64(),
        JsonTokenType.String => reader.GetString()!,
        _ => throw new JsonException("a dimension is a number or a string"),
    };

    public override void Write(Utf8JsonWriter writer, Dimension value, JsonSerializerOptions options)
    {
        if (value.Size is { } size)
            writer.WriteNumberValue(size);
        else
            writer.WriteStringValue(value.Symbol);
    }
}
