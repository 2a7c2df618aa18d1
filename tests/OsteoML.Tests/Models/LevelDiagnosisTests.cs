using OsteoML.Inference;
using OsteoML.Models.Validation;
using static OsteoML.Tests.Models.SpineColumn;

namespace OsteoML.Tests.Models;

/// <summary>The failure categories on hand-built predictions whose defect is known by construction.</summary>
[TestClass]
public sealed class LevelDiagnosisTests
{
    // Six bodies head first; the top three carry ribs, so body 2 is T12.
    private static readonly string[] Names = ["T10", "T11", "T12", "L1", "L2", "L3"];
    private static readonly bool[] AllInScan = [true, true, true, true, true, true];

    [TestMethod]
    public void A_clean_prediction_is_correct()
    {
        var truth = Column(bodies: 6, ribBearing: 3);
        var diagnosis = Diagnose(truth.Classes, truth, correct: true, dice: 1.0);
        Assert.AreEqual(LevelOutcome.Correct, diagnosis.Outcome);
        Assert.AreEqual("T12", diagnosis.AnchorTruthLevel);
        Assert.AreEqual(0, diagnosis.MergedBodies + diagnosis.SplitLevels + diagnosis.SpuriousBodies + diagnosis.MissedLevels);
    }

    [TestMethod]
    public void Fused_T12_and_L1_are_reported_merged()
    {
        var truth = Column(bodies: 6, ribBearing: 3);
        var predicted = Column(bodies: 6, ribBearing: 3, fusedDiscBelow: 2).Classes;
        var diagnosis = Diagnose(predicted, truth, correct: false, dice: 0);
        Assert.AreEqual(LevelOutcome.Merged, diagnosis.Outcome);
        Assert.AreEqual(1, diagnosis.MergedBodies);
    }

    [TestMethod]
    public void Missing_T12_ribs_are_a_rib_association_failure_anchored_on_T11()
    {
        var truth = Column(bodies: 6, ribBearing: 3);
        var predicted = Column(bodies: 6, ribBearing: 2).Classes;
        var diagnosis = Diagnose(predicted, truth, correct: false, dice: 0);
        Assert.AreEqual(LevelOutcome.RibAssociation, diagnosis.Outcome);
        Assert.AreEqual("T11", diagnosis.AnchorTruthLevel);
    }

    [TestMethod]
    public void A_body_left_out_of_the_prediction_is_missed()
    {
        var truth = Column(bodies: 6, ribBearing: 3);
        var predicted = Column(bodies: 6, ribBearing: 3).Classes;
        var (lo, hi) = truth.Bodies[4];
        for (var z = lo; z < hi; z++)
            predicted.Slice(z).Clear();
        var diagnosis = Diagnose(predicted, truth, correct: false, dice: 0);
        Assert.AreEqual(LevelOutcome.Missed, diagnosis.Outcome);
        Assert.AreEqual(1, diagnosis.MissedLevels);
    }

    [TestMethod]
    public void Outcomes_of_refusals_follow_the_truth_coverage()
    {
        Assert.AreEqual(LevelOutcome.RefusedCorrectly, LevelDiagnostics.Classify(LevelStatus.NotCovered, false, true, null, null, 0, 0, 0, 0, null));
        Assert.AreEqual(LevelOutcome.FalseIdentification, LevelDiagnostics.Classify(LevelStatus.Identified, false, false, null, null, 0, 0, 0, 0, "T12"));
        Assert.AreEqual(LevelOutcome.FalseNotCovered, LevelDiagnostics.Classify(LevelStatus.NotCovered, true, false, 0, 0, 0, 0, 0, 0, "T12"));
        Assert.AreEqual(LevelOutcome.UncertainStep, LevelDiagnostics.Classify(LevelStatus.Uncertain, true, false, 0, 0, 0, 0, 0, 0, "T12"));
        Assert.AreEqual(LevelOutcome.NoRibAnchor, LevelDiagnostics.Classify(LevelStatus.NoRibAnchor, true, false, 0, 0, 0, 0, 0, 0, null));
        Assert.AreEqual(LevelOutcome.CorrectLowDice, LevelDiagnostics.Classify(LevelStatus.Identified, true, true, 0.95, 0.85, 0, 0, 0, 0, "T12"));
    }

    private static LevelDiagnosis Diagnose(OsteoML.Imaging.Volume<byte> predicted, Phantom truth, bool correct, double dice) =>
        LevelDiagnostics.Diagnose(VertebraLevels.Identify(predicted), truth.TrueBodies.Voxels, Names, AllInScan, coversL1AndL2: true, correct, dice, dice);
}
