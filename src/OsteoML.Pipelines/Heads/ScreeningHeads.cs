using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using OsteoML.AutoTune.Experiments;
using OsteoML.Pipelines.Features;

namespace OsteoML.Pipelines.Heads;

/// <summary>
/// The trainable end of the chain, on the concatenated <c>Features</c> vector: missing values replaced by their
/// training mean (a tissue not found), mean–variance normalisation, the BMD regressor (its score copied to
/// <see cref="PredictedBmd"/>) and the 3-class classifier (its scores to <see cref="ClassProbabilities"/>, in
/// normal, osteopenia, osteoporosis order).
/// </summary>
public static class ScreeningHeads
{
    public const string Features = "Features", PredictedBmd = "PredictedBmd", ClassProbabilities = "ClassProbabilities";

    /// <summary>
    /// The imputation and normalisation, fitted on the training rows. A missing slot takes its training mean (saved
    /// with the model): ML.NET's default, 0, reads as a 0 HU air or fat tissue, a wild outlier once normalised.
    /// </summary>
    public static ITransformer FitPreparation(MLContext ml, IDataView train) =>
        ml.Transforms.ReplaceMissingValues(Features, replacementMode: MissingValueReplacingEstimator.ReplacementMode.Mean)
            .Append(ml.Transforms.NormalizeMeanVariance(Features))
            .Fit(train);

    /// <summary>Fits both heads on a prepared feature table and returns them as one transformer (after <paramref name="preparation"/>).</summary>
    public static ITransformer Fit(MLContext ml, ITransformer preparation, FeatureTable table,
        IEstimator<ITransformer> bmdTrainer, IEstimator<ITransformer> classTrainer)
    {
        var data = table.ToDataView(ml);
        var bmd = bmdTrainer.Fit(data);
        var afterBmd = bmd.Transform(data);
        var copyBmd = ml.Transforms.CopyColumns(PredictedBmd, "Score").Fit(afterBmd);
        var withBmd = copyBmd.Transform(afterBmd);
        var classes = classTrainer.Fit(withBmd);
        var copyClass = ml.Transforms.CopyColumns(ClassProbabilities, "Score").Fit(classes.Transform(withBmd));
        return preparation.Append(bmd).Append(copyBmd).Append(classes).Append(copyClass);
    }

    /// <summary>A view of studies' feature vectors (known length), for fitting the preparation and scoring.</summary>
    public static IDataView FeatureView(MLContext ml, IReadOnlyList<StudyFeatures> rows, int length)
    {
        var schema = SchemaDefinition.Create(typeof(FeatureRow));
        schema[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, length);
        return ml.Data.LoadFromEnumerable(rows.Select(r => new FeatureRow
        {
            Features = r.Features,
            Bmd = r.Study.Bmd,
            Class = r.Study.Class,
            PatientId = r.Study.PatientId,
            Site = r.Study.SiteKey,
        }).ToArray(), schema);
    }

    /// <summary>The heads' BMD and probabilities for feature rows (same order).</summary>
    public static (float Bmd, float[] Probabilities)[] Predict(MLContext ml, ITransformer heads, IReadOnlyList<StudyFeatures> rows, int length)
    {
        if (rows.Count == 0) return [];
        var scored = heads.Transform(FeatureView(ml, rows, length));
        var bmd = scored.GetColumn<float>(PredictedBmd).ToArray();
        var probabilities = scored.GetColumn<float[]>(ClassProbabilities).ToArray();
        return bmd.Zip(probabilities, (b, p) => (b, p)).ToArray();
    }

    public sealed class FeatureRow
    {
        public float[] Features { get; set; } = [];
        public float Bmd { get; set; }
        public string Class { get; set; } = "";
        public string PatientId { get; set; } = "";
        public string Site { get; set; } = "";
    }
}
