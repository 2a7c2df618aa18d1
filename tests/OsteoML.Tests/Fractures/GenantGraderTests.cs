using OsteoML.Pipelines.Fractures;

namespace OsteoML.Tests.Fractures;

/// <summary>Genant's grades and shapes from heights built to a known loss, against the grade boundaries and the two references.</summary>
[TestClass]
public sealed class GenantGraderTests
{
    private static VertebraAssessment Level(string name, double anterior, double middle, double posterior, FractureRefusal? refusal = null) =>
        new() { Level = name, HeightsMm = new BodyHeights(anterior, middle, posterior), Refusal = refusal };

    /// <summary>A normal body of posterior height h: concave endplates make the middle a little shorter.</summary>
    private static VertebraAssessment Normal(string name, double h = 25) => Level(name, h, Ratio * h, h);

    private static readonly double Ratio = new GenantOptions().NormalMiddleRatio;

    private static VertebraAssessment GradeMiddle(VertebraAssessment middle) =>
        GenantGrader.Grade([Normal("T12"), Normal("L1"), middle, Normal("L3"), Normal("L4")])[2];

    [TestMethod]
    [DataRow(0.15, 0)]
    [DataRow(0.19, 0)]
    [DataRow(0.21, 1)]
    [DataRow(0.24, 1)]
    [DataRow(0.26, 2)]
    [DataRow(0.39, 2)]
    [DataRow(0.41, 3)]
    [DataRow(0.55, 3)]
    public void Wedge_loss_is_graded_by_genants_boundaries(double loss, int grade)
    {
        var a = GradeMiddle(Level("L2", 25 * (1 - loss), Ratio * 25 * (1 - loss / 2), 25));
        Assert.AreEqual(grade, a.GenantGrade);
        Assert.AreEqual(loss, a.HeightLoss!.Value, 0.002);
        Assert.AreEqual(grade > 0 ? VertebralFractureShape.Wedge : null, a.FractureShape);
    }

    [TestMethod]
    public void A_crush_is_found_against_the_neighbours_though_its_own_walls_agree()
    {
        // All three heights down 30 %: anterior/posterior and middle/posterior ratios are normal.
        var a = GradeMiddle(Level("L2", 17.5, Ratio * 17.5, 17.5));
        Assert.AreEqual(2, a.GenantGrade);
        Assert.AreEqual(VertebralFractureShape.Crush, a.FractureShape);
        Assert.AreEqual(0.30, a.HeightLoss!.Value, 0.002);
    }

    [TestMethod]
    public void A_biconcave_middle_is_compared_with_a_normal_bodys_concavity_not_with_the_walls()
    {
        // Middle 45 % below a normal body's middle: grade 3 biconcave.
        var severe = GradeMiddle(Level("L2", 25, Ratio * 25 * 0.55, 25));
        Assert.AreEqual(3, severe.GenantGrade);
        Assert.AreEqual(VertebralFractureShape.Biconcave, severe.FractureShape);
        Assert.AreEqual(0.45, severe.HeightLoss!.Value, 0.002);
        // A normal concavity (the middle 6 % under the walls) is no fracture, though 1 − Hm/Hp alone would say 6 %
        // and a 20 % biconcave loss against the walls is only 15 % against a normal middle.
        Assert.AreEqual(0, GradeMiddle(Normal("L2")).GenantGrade);
        Assert.AreEqual(0, GradeMiddle(Level("L2", 25, 25 * 0.80, 25)).GenantGrade);
        Assert.AreEqual(1, GradeMiddle(Level("L2", 25, Ratio * 25 * 0.78, 25)).GenantGrade);
    }

    [TestMethod]
    public void Refused_levels_get_no_grade_and_are_no_reference_and_one_crushed_neighbour_is_outvoted()
    {
        var levels = new[]
        {
            Level("T12", 10, 9, 10, FractureRefusal.CutByScanEdge), // cut: a short height that must not be a reference
            Normal("L1"),
            Level("L2", 17.5, 16.3, 17.5),                          // crushed 30 %
            Level("L3", 17.5, 16.3, 17.5),                          // crushed too
            Normal("L4"),
            Normal("L5"),
        };
        var graded = GenantGrader.Grade(levels);
        Assert.IsNull(graded[0].GenantGrade);
        Assert.AreEqual(FractureRefusal.CutByScanEdge, graded[0].Refusal);
        // L2's references: L1 above (T12 is refused), L3 and L4 below: median of 25, 17.5, 25 = 25.
        Assert.AreEqual(2, graded[1 + 1].GenantGrade);
        Assert.AreEqual(2, graded[3].GenantGrade);
        Assert.AreEqual(0, graded[1].GenantGrade);
        Assert.AreEqual(0, graded[4].GenantGrade);
    }

    [TestMethod]
    public void Missing_heights_are_a_segmentation_doubt()
    {
        var graded = GenantGrader.Grade([Normal("L1"), new VertebraAssessment { Level = "L2" }, Level("L3", double.NaN, 20, 25)]);
        Assert.AreEqual(FractureRefusal.SegmentationDoubt, graded[1].Refusal);
        Assert.AreEqual(FractureRefusal.SegmentationDoubt, graded[2].Refusal);
        Assert.IsNull(graded[2].GenantGrade);
        Assert.IsNull(graded[2].HeightsMm, "a missed site leaves no heights");
        // The result must stay writable: JSON has no NaN.
        StringAssert.Contains(System.Text.Json.JsonSerializer.Serialize(graded, OsteoML.Pipelines.Screening.StudyResult.Json), "\"refusal\":\"segmentationDoubt\"");
    }

    [TestMethod]
    public void The_result_json_names_heights_grade_and_shape_as_the_issue_asks()
    {
        var a = GradeMiddle(Level("L2", 17, 22, 25));
        var json = System.Text.Json.JsonSerializer.Serialize(a, OsteoML.Pipelines.Screening.StudyResult.Json);
        StringAssert.Contains(json, "\"heightsMm\":{\"anterior\":17,\"middle\":22,\"posterior\":25}");
        StringAssert.Contains(json, "\"genantGrade\":2");
        StringAssert.Contains(json, "\"fractureShape\":\"wedge\"");
        Assert.IsFalse(json.Contains("refusal", StringComparison.Ordinal), json);
        var refused = GenantGrader.Grade([Level("L1", 20, 20, 20, FractureRefusal.SliceThicknessOver3Mm)])[0];
        StringAssert.Contains(System.Text.Json.JsonSerializer.Serialize(refused, OsteoML.Pipelines.Screening.StudyResult.Json), "\"refusal\":\"sliceThicknessOver3Mm\"");
    }
}
