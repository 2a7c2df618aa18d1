namespace OsteoML.Pipelines.Fractures;

/// <summary>
/// Genant's semi-quantitative grade from measured heights. The expected (pre-fracture) height comes from two
/// references, because each fracture shape hides from one of them:
/// <list type="bullet">
/// <item>the body's own posterior wall — wedge loss 1 − Ha/Hp and biconcave loss 1 − Hm/(r·Hp), r the normal
/// middle/posterior ratio of concave endplates; immune to the 3 % level-to-level size scatter, but blind to a crush,
/// which lowers the posterior wall with the rest;</item>
/// <item>the neighbours' posterior heights — crush loss 1 − Hp/median(neighbours' Hp), up to
/// <see cref="GenantOptions.NeighboursPerSide"/> measurable bodies each side (the median ignores one fractured
/// neighbour).</item>
/// </list>
/// The loss is the largest of the three and its shape the one that gave it. Pure.
/// </summary>
public static class GenantGrader
{
    /// <param name="levels">Levels cranial to caudal; a level without heights, or refused, is skipped and is no neighbour.</param>
    public static IReadOnlyList<VertebraAssessment> Grade(IReadOnlyList<VertebraAssessment> levels, GenantOptions? options = null)
    {
        options ??= new GenantOptions();
        bool Usable(VertebraAssessment a) => a.Refusal is null && a.HeightsMm is { } h && double.IsFinite(h.Anterior) && double.IsFinite(h.Middle) && double.IsFinite(h.Posterior);
        var result = new List<VertebraAssessment>(levels.Count);
        for (var i = 0; i < levels.Count; i++)
        {
            var level = levels[i];
            if (!Usable(level))
            {
                // A site the rays missed has no height: drop the heights rather than write NaN (JSON has no NaN).
                var heights = level.HeightsMm is { } m && double.IsFinite(m.Anterior) && double.IsFinite(m.Middle) && double.IsFinite(m.Posterior) ? m : null;
                result.Add(level with { Refusal = level.Refusal ?? FractureRefusal.SegmentationDoubt, GenantGrade = null, HeightsMm = heights });
                continue;
            }
            var h = level.HeightsMm!;
            var neighbours = new List<double>();
            for (var j = i - 1; j >= 0 && neighbours.Count < options.NeighboursPerSide; j--)
                if (Usable(levels[j])) neighbours.Add(levels[j].HeightsMm!.Posterior);
            var above = neighbours.Count;
            for (var j = i + 1; j < levels.Count && neighbours.Count - above < options.NeighboursPerSide; j++)
                if (Usable(levels[j])) neighbours.Add(levels[j].HeightsMm!.Posterior);

            (double Loss, VertebralFractureShape Shape)[] candidates =
            [
                (1 - h.Anterior / h.Posterior, VertebralFractureShape.Wedge),
                (1 - h.Middle / (options.NormalMiddleRatio * h.Posterior), VertebralFractureShape.Biconcave),
                (neighbours.Count > 0 ? 1 - h.Posterior / Median(neighbours) : double.NegativeInfinity, VertebralFractureShape.Crush),
            ];
            var worst = candidates.MaxBy(c => c.Loss);
            var grade = GradeOf(worst.Loss, options);
            result.Add(level with
            {
                GenantGrade = grade,
                FractureShape = grade > 0 ? worst.Shape : null,
                HeightLoss = Math.Round(Math.Max(0, worst.Loss), 3),
            });
        }
        return result;
    }

    public static int GradeOf(double loss, GenantOptions options) =>
        loss > options.Grade3Loss ? 3 : loss >= options.Grade2Loss ? 2 : loss >= options.Grade1Loss ? 1 : 0;

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        var n = sorted.Count;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
