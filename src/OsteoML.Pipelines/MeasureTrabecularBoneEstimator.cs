using Microsoft.ML;

namespace OsteoML.Pipelines;

/// <summary>The estimator of <see cref="PipelineCatalog.MeasureTrabecularBone"/>: nothing to learn.</summary>
public sealed class MeasureTrabecularBoneEstimator(MLContext ml, PipelineRuntime runtime) : IEstimator<ITransformer>
{
    private readonly IEstimator<ITransformer> _mapping =
        ml.Transforms.CustomMapping(new MeasureTrabecularBoneFactory(runtime).GetMapping(), MeasureTrabecularBoneFactory.ContractName);

    public ITransformer Fit(IDataView input) => _mapping.Fit(input);

    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => _mapping.GetOutputSchema(inputSchema);
}
