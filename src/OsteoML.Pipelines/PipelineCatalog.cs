using Microsoft.ML;
using OsteoML.Pipelines.Studies;

namespace OsteoML.Pipelines;

/// <summary>
/// The screening stages as ML.NET catalog extensions:
/// <code>
/// var studies = ml.Data.LoadStudies(StudySource.FromManifest("cohort/manifest.csv"));
/// var pipeline = ml.Transforms.SegmentVertebrae(runtime)
///     .Append(ml.Transforms.MeasureTrabecularBone(runtime))
///     .Append(ml.Transforms.ExtractDenseNetFeatures(runtime, "models/densenet-lite"))
///     .Append(ml.Transforms.Concatenate("Features", "DenseNetFeatures", "LevelMeasures", "TissueHu", "Acquisition"));
/// </code>
/// </summary>
public static class PipelineCatalog
{
    /// <summary>An IDataView of studies (<see cref="StudyRow"/> columns), one row per series.</summary>
    public static IDataView LoadStudies(this DataOperationsCatalog catalog, StudyList studies) =>
        catalog.LoadFromEnumerable(studies.Studies);

    public static SegmentVertebraeEstimator SegmentVertebrae(this TransformsCatalog catalog, PipelineRuntime runtime) =>
        new(CatalogContext(catalog), runtime);

    public static MeasureTrabecularBoneEstimator MeasureTrabecularBone(this TransformsCatalog catalog, PipelineRuntime runtime) =>
        new(CatalogContext(catalog), runtime);

    public static IEstimator<ITransformer> ExtractDenseNetFeatures(this TransformsCatalog catalog, PipelineRuntime runtime, string modelDirectory) =>
        DenseNetFeatures.Estimator(CatalogContext(catalog), runtime, modelDirectory, runtime.Device.CudaDeviceId);

    // The catalogs do not expose their MLContext; a fresh one is enough to build the (stateless) stages.
    private static MLContext CatalogContext(TransformsCatalog catalog) => new();
}
