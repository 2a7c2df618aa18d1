using Microsoft.ML.Data;

namespace OsteoML.Pipelines.Features;

/// <summary>The crop, (2, D, H, W) flattened; zeros when L1/L2 were not identified (that row's prediction is discarded).</summary>
public sealed class DenseNetCropOutput
{
    [VectorType(DenseNetCropSpec.Length)]
    public float[] DenseNetCrop { get; set; } = new float[DenseNetCropSpec.Length];
}
