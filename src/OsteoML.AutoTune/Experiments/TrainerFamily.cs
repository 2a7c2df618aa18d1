using Microsoft.ML;
using OsteoML.AutoTune.Search;

namespace OsteoML.AutoTune.Experiments;

/// <summary>What a head predicts: the BMD (regression) or the ACR class (three-class classification).</summary>
public enum HeadTask
{
    BmdRegression,
    ClassMulticlass,
}

/// <summary>
/// One ML.NET trainer and the space of its hyper-parameters. <see cref="Create"/> builds the estimator for one
/// point of the space, reading <c>featureColumn</c> and <c>labelColumn</c> (a float for regression, a key for
/// classification); it writes ML.NET's usual <c>Score</c> (and <c>PredictedLabel</c>) columns.
/// </summary>
public sealed record TrainerFamily(
    string Name,
    HeadTask Task,
    SearchSpace Space,
    Func<MLContext, ParameterSet, string, string, IEstimator<ITransformer>> Create)
{
    public IEstimator<ITransformer> Build(MLContext ml, ParameterSet parameters, string labelColumn, string featureColumn = "Features") =>
        Create(ml, parameters, labelColumn, featureColumn);

    public override string ToString() => Name;
}
