using Microsoft.ML;
using Microsoft.ML.Data;
using OsteoML.Pipelines.Features;
using OsteoML.Pipelines.Heads;
using OsteoML.Pipelines.Studies;

namespace OsteoML.Tests.Pipelines;

[TestClass]
public sealed class ScreeningHeadsTests
{
    private static StudyFeatures Row(params float[] features) => new() { Study = new StudyRow(), Features = features };

    [TestMethod]
    public void A_missing_tissue_takes_its_training_mean_and_keeps_it_through_save_and_load()
    {
        // Slot 0 is the air HU (not found in one training study), slot 1 another measure.
        // Training mean of the air values found: (−1000 − 990 − 1010)/3 = −1000.
        var ml = new MLContext(1);
        var train = new[] { Row(-1000, 10), Row(-990, 20), Row(float.NaN, 30), Row(-1010, 40) };
        var preparation = ScreeningHeads.FitPreparation(ml, ScreeningHeads.FeatureView(ml, train, 2));

        using var stream = new MemoryStream();
        ml.Model.Save(preparation, ScreeningHeads.FeatureView(ml, train, 2).Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext(2).Model.Load(stream, out _);

        float[] Prepared(ITransformer model, float air) =>
            model.Transform(ScreeningHeads.FeatureView(ml, [Row(air, 25)], 2)).GetColumn<float[]>(ScreeningHeads.Features).Single();
        var missing = Prepared(loaded, float.NaN);
        CollectionAssert.AreEqual(Prepared(preparation, -1000), missing, "a missing air HU must read as the training mean, −1000");
        Assert.AreNotEqual(Prepared(preparation, 0)[0], missing[0], "0 HU is not the training mean");
        Assert.IsTrue(missing.All(float.IsFinite));
    }
}
