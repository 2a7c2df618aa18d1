using Microsoft.ML;

namespace OsteoML.Pipelines;

/// <summary>The estimator of <see cref="PipelineCatalog.SegmentVertebrae"/>: nothing to learn; Fit returns the mapping.</summary>
public sealed class SegmentVertebraeEstimator(MLContext ml, PipelineRuntime runtime) : IEstimator<ITransformer>
{
    private readonly IEstimator<ITransformer> _mapping =
        ml.Transforms.CustomMapping(new SegmentVertebraeFactory(runtime).GetMapping(), SegmentVertebraeFactory.ContractName);

    public ITransformer Fit(IDataView input) => _mapping.Fit(input);

    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => _mapping.GetOutputSchema(inputSchema);
}
