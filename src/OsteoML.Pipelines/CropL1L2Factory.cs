using Microsoft.ML.Transforms;
using OsteoML.Pipelines.Features;
using OsteoML.Pipelines.Volumes;

namespace OsteoML.Pipelines;

/// <summary>
/// ML.NET stage: cuts the DenseNet's input around L1–L2 from the series resampled to the crop spacing, exactly as the
/// network was trained (centre at the rounded midpoint of the L1 and L2 centroids, −1000 HU outside the volume).
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class CropL1L2Factory : CustomMappingFactory<DenseNetCropInput, DenseNetCropOutput>
{
    public const string ContractName = "OsteoML.CropL1L2.v1";
    private readonly PipelineRuntime _runtime;

    public CropL1L2Factory() : this(PipelineRuntime.Current) { }

    public CropL1L2Factory(PipelineRuntime runtime) => _runtime = runtime;

    public override Action<DenseNetCropInput, DenseNetCropOutput> GetMapping()
    {
        var runtime = _runtime;
        var spec = runtime.Crop ?? throw new InvalidOperationException("the pipeline runtime has no DenseNet crop settings.");
        return (input, output) =>
        {
            var segmentation = runtime.Store.Get(input.SegmentationKey);
            if (!segmentation.Identified)
            {
                output.DenseNetCrop = new float[DenseNetCropSpec.Length];
                return;
            }
            if (Math.Abs(spec.SpacingMm - segmentation.ModelSpacingMm) > 1e-9)
                throw new InvalidDataException($"the DenseNet's spacing {spec.SpacingMm} mm differs from the segmentation model's {segmentation.ModelSpacingMm} mm; the crop is cut on the segmentation grid.");
            var volume = runtime.Volumes.Load(input.SeriesPath, input.SeriesInstanceUid);
            var grid = new CanonicalGrid(volume.Hu.Geometry, segmentation.ModelSpacingMm);
            output.DenseNetCrop = DenseNetCropSpec.Cut(grid.Resample(volume.Hu), grid.Size, segmentation.ModelLevels, spec);
        };
    }
}
