using OsteoML.Calibration;

namespace OsteoML.Tests.AutoTune;

/// <summary>
/// The per-scan tissue line against tissue HUs built from a known scale: the truth is the scale the values were put
/// through, and the literature values are the method's own constants (the test checks the algebra and the rules —
/// contrast, outliers, plausibility — not that the literature matches any patient).
/// </summary>
[TestClass]
public sealed class PhantomlessScanCalibrationTests
{
    private static double[] Through(HuScale scale, double kvp, double[]? patientDeviation = null) =>
        Enumerable.Range(0, 4).Select(t => scale.ToMeasured(ReferenceTissueValues.At(t, kvp) + (patientDeviation?[t] ?? 0))).ToArray();

    private static ScanCalibrationEstimate Estimate(double[] tissues, double kvp = 120, bool contrast = false) =>
        ScanCalibrations.Create(CalibrationSource.Phantomless).Estimate(new ScanContext("site", kvp, tissues, contrast));

    [TestMethod]
    [DataRow(9.0, 0.035, 120.0)]
    [DataRow(-8.0, -0.03, 120.0)]
    [DataRow(4.0, 0.01, 80.0)]
    public void Recovers_the_scale_the_tissues_were_put_through(double offset, double gain, double kvp)
    {
        var truth = new HuScale(offset, gain);
        var estimate = Estimate(Through(truth, kvp), kvp);
        Assert.IsTrue(estimate.Applicable, estimate.Note);
        Assert.AreEqual(offset, estimate.Scale!.Offset, 1e-6);
        Assert.AreEqual(gain, estimate.Scale.Gain, 1e-9);
        // A trabecular HU of 150 on the ideal scale reads ToMeasured(150) here; the inverse gives it back.
        Assert.AreEqual(150, estimate.Scale.ToIdeal(truth.ToMeasured(150)), 1e-6);
    }

    [TestMethod]
    public void Patient_deviations_of_opposite_sign_average_out_in_the_offset()
    {
        // Fatty muscle (−6 HU), a slightly denser fat (+6 HU), blood on its value: the offset error stays small.
        var truth = new HuScale(9, 0.035);
        var estimate = Estimate(Through(truth, 120, [0, 6, -6, 0]));
        Assert.AreEqual(9, estimate.Scale!.Offset, 1.5);
    }

    [TestMethod]
    public void Enhanced_blood_is_left_out_and_muscle_down_weighted()
    {
        var truth = new HuScale(-8, -0.03);
        var tissues = Through(truth, 120);
        tissues[3] = truth.ToMeasured(40 + 180);      // arterial phase aorta
        tissues[2] = truth.ToMeasured(50 + 10);       // muscle enhanced by 10 HU
        var estimate = Estimate(tissues);
        Assert.IsTrue(estimate.Applicable);
        StringAssert.DoesNotMatch(estimate.Note, new System.Text.RegularExpressions.Regex("blood"));
        // Without the rules blood alone would move the offset by about +60 HU; muscle at a quarter weight moves it < 4 HU.
        Assert.AreEqual(-8, estimate.Scale!.Offset, 4);
        // Declared contrast (a contrast agent in the header) leaves blood out even when it reads low.
        tissues[3] = truth.ToMeasured(40 + 50);
        StringAssert.DoesNotMatch(Estimate(tissues, contrast: true).Note, new System.Text.RegularExpressions.Regex("blood"));
    }

    [TestMethod]
    public void A_tissue_roi_that_missed_its_tissue_is_dropped_as_an_outlier()
    {
        var truth = new HuScale(9, 0.035);
        var tissues = Through(truth, 120);
        tissues[2] = truth.ToMeasured(50 - 45);       // muscle ROI mostly in fat
        var estimate = Estimate(tissues);
        StringAssert.DoesNotMatch(estimate.Note, new System.Text.RegularExpressions.Regex("muscle"));
        Assert.AreEqual(9, estimate.Scale!.Offset, 1e-6);
    }

    [TestMethod]
    public void Without_air_or_soft_tissue_or_with_an_implausible_scale_there_is_no_estimate()
    {
        var tissues = Through(HuScale.Ideal, 120);
        Assert.IsFalse(Estimate([double.NaN, tissues[1], tissues[2], tissues[3]]).Applicable, "no air");
        Assert.IsFalse(Estimate([tissues[0], double.NaN, double.NaN, double.NaN]).Applicable, "air only");
        Assert.IsFalse(Estimate(Through(new HuScale(45, 0), 120)).Applicable, "offset of 45 HU: a wrong series, not drift");
        Assert.IsFalse(ScanCalibrations.Create(CalibrationSource.Phantomless).Estimate(new ScanContext("s", 120, null, false)).Applicable);
    }

    [TestMethod]
    public void Correcting_the_bmd_moves_it_by_the_models_sensitivity_times_the_hu_error()
    {
        var scale = new HuScale(10, 0.04);
        // 150 HU ideal reads 10 + 1.04·150 = 166; at 0.8 mg/cm³ per HU the global model overestimates by 12.8.
        Assert.AreEqual(100 - 12.8, ScanCalibrations.CorrectBmd(100, 166, scale, 0.8), 1e-9);
        Assert.AreEqual(100, ScanCalibrations.CorrectBmd(100, 166, HuScale.Ideal, 0.8), 1e-12);
    }
}
