using System.Text.Json.Serialization;

namespace OsteoML.Pipelines.Definitions;

/// <summary>A shape a trained bundle leaves OsteoML in (<c>osteoml export …</c>), as a pipeline definition's <c>exports</c> lists it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ExportFormat>))]
public enum ExportFormat
{
    /// <summary><c>osteoml export onnx</c>: the segmentation, DenseNet and heads as ONNX models, which holds some trainers out.</summary>
    [JsonStringEnumMemberName("onnx")] Onnx,

    /// <summary><c>osteoml export model-builder</c>: Model Builder files of the heads (every trainer family).</summary>
    [JsonStringEnumMemberName("modelBuilder")] ModelBuilder,
}
