using Microsoft.ML;
using OsteoML.Pipelines.Bundles;
using OsteoML.Pipelines.Features;
using OsteoML.Pipelines.Studies;

namespace OsteoML.Export;

/// <summary>
/// The feature table of studies under a bundle: its fitted chain cut after the <c>Concatenate</c> into
/// <c>Features</c>, so the vectors are the heads' raw input. (The whole chain would give <c>Features</c> after the heads'
/// in-place imputation and normalisation.) Cached per bundle in <c>features/&lt;identity&gt;</c> of the cache folder.
/// </summary>
public static class BundleFeatures
{
    public static IReadOnlyList<StudyFeatures> Extract(ModelBundle bundle, IReadOnlyList<StudyRow> studies, string? cacheDirectory, int jobs = 1,
        Action<StudyFeatures>? progress = null)
    {
        var ml = new MLContext(1);
        using var runtime = bundle.CreateRuntime(cacheDirectory, threads: Math.Max(1, Environment.ProcessorCount / Math.Max(1, jobs)));
        var model = bundle.LoadModel(ml, runtime);
        try
        {
            var leaves = BundleHeads.Leaves(model).ToList();
            var featurizer = BundleHeads.Chain(leaves.Take(BundleHeads.FeaturesEnd(leaves, bundle.Directory) + 1));
            return new FeatureExtractor(ml, featurizer, $"{bundle.ModelSha256}|features", cacheDirectory).Extract(studies, jobs, progress);
        }
        finally
        {
            // Disposing the loaded chain deletes the temporary copy of the DenseNet ML.NET wrote (see Screener).
            (model as IDisposable)?.Dispose();
        }
    }
}
