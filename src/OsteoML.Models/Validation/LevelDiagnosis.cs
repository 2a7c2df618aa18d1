using OsteoML.Inference;

namespace OsteoML.Models.Validation;

/// <summary>Why a case's level identification came out as it did; one per case, the first cause that applies.</summary>
public enum LevelOutcome
{
    /// <summary>L1 and L2 named at the right bodies, both with Dice ≥ 0.9.</summary>
    Correct,
    /// <summary>L1 and L2 named at the right bodies, but a Dice below 0.9.</summary>
    CorrectLowDice,
    /// <summary>The series does not cover both levels and the rule refused.</summary>
    RefusedCorrectly,
    /// <summary>One predicted body spans two true bodies (the disc between them was not separated).</summary>
    Merged,
    /// <summary>One true body is cut into two predicted bodies.</summary>
    Split,
    /// <summary>A predicted body that is no true body (e.g. a piece of posterior elements or sacrum).</summary>
    Spurious,
    /// <summary>A true body wholly in the scan at or above L2 has no predicted body.</summary>
    Missed,
    /// <summary>Bodies one-to-one with the truth, but no body was called rib-bearing.</summary>
    NoRibAnchor,
    /// <summary>Bodies one-to-one with the truth, but the lowest rib-bearing body is not the true T12.</summary>
    RibAssociation,
    /// <summary>Bodies one-to-one with the truth and T12 right, but a centroid step made the rule refuse.</summary>
    UncertainStep,
    /// <summary>Bodies one-to-one with the truth and T12 right, but L1 or L2 was called cut by the scan's edge.</summary>
    FalseNotCovered,
    /// <summary>The series does not cover both levels, yet the rule named them.</summary>
    FalseIdentification,
}

/// <summary>How the predicted bodies of one case relate to the true vertebral bodies.</summary>
public sealed record LevelDiagnosis(LevelOutcome Outcome, int MergedBodies, int SplitLevels, int SpuriousBodies, int MissedLevels,
    string? AnchorTruthLevel, double TrueT12RibMm3, double TrueL1RibMm3);

/// <summary>
/// Sorts a level-identification result into <see cref="LevelOutcome"/> by matching predicted bodies (the rule's
/// components) to the true per-level trabecular masks by voxel overlap. A true level belongs to the predicted body
/// that holds most of its voxels; a body holding ≥ 20 % of two levels merges them; a level with ≥ 20 % in two
/// bodies is split; a body with most of its voxels outside every true body is spurious. Structural causes are
/// reported before the rule's own refusals, because a refusal usually follows from one of them.
/// </summary>
public static class LevelDiagnostics
{
    private const double ShareOfLevel = 0.2;

    /// <param name="levels">The rule's result on the predicted class map.</param>
    /// <param name="truthLevels">Per voxel (same grid as the components): 0, or 1 + the index of the true level's trabecular body in <paramref name="levelNames"/>.</param>
    /// <param name="levelNames">Level names, head to feet; "T12", "L1" and "L3" among them.</param>
    /// <param name="levelsInScan">Per level index: whether the true body lies wholly inside the scan.</param>
    public static LevelDiagnosis Diagnose(VertebraLevelResult levels, ReadOnlySpan<byte> truthLevels, IReadOnlyList<string> levelNames,
        IReadOnlyList<bool> levelsInScan, bool coversL1AndL2, bool correct, double? diceL1, double? diceL2)
    {
        var bodies = levels.Bodies;
        var slot = new Dictionary<int, int>();
        for (var b = 0; b < bodies.Count; b++)
            slot[bodies[b].Component] = b;
        var levelCount = levelNames.Count;
        var overlap = new long[bodies.Count, levelCount];
        var levelVoxels = new long[levelCount];
        var bodyInside = new long[bodies.Count];
        var components = levels.Components.Voxels;
        for (var i = 0; i < truthLevels.Length; i++)
        {
            var t = truthLevels[i] - 1;
            if (t >= 0)
                levelVoxels[t]++;
            if (components[i] == 0 || !slot.TryGetValue(components[i], out var b))
                continue;
            if (t >= 0)
            {
                overlap[b, t]++;
                bodyInside[b]++;
            }
        }

        var owner = new int[levelCount];
        int merged = 0, split = 0, spurious = 0, missed = 0;
        var l3 = IndexOf(levelNames, "L3");
        bool Relevant(int t) => l3 < 0 || t <= l3;
        for (var t = 0; t < levelCount; t++)
        {
            owner[t] = -1;
            if (levelVoxels[t] == 0)
                continue;
            var holders = 0;
            for (var b = 0; b < bodies.Count; b++)
            {
                if (overlap[b, t] >= ShareOfLevel * levelVoxels[t])
                    holders++;
                if (owner[t] < 0 || overlap[b, t] > overlap[owner[t], t])
                    owner[t] = b;
            }
            if (owner[t] >= 0 && overlap[owner[t], t] < 0.5 * levelVoxels[t])
                owner[t] = -1;
            if (holders > 1 && Relevant(t))
                split++;
            if (owner[t] < 0 && levelsInScan[t] && Relevant(t))
                missed++;
        }
        for (var b = 0; b < bodies.Count; b++)
        {
            var held = Enumerable.Range(0, levelCount).Count(t => levelVoxels[t] > 0 && overlap[b, t] >= ShareOfLevel * levelVoxels[t] && Relevant(t));
            if (held > 1)
                merged++;
            if (bodyInside[b] < 0.5 * bodies[b].Voxels && bodies[b].CentroidSuperiorMm >= LowestRelevantMm(bodies, owner, l3))
                spurious++;
        }

        var t12 = IndexOf(levelNames, "T12");
        var l1 = IndexOf(levelNames, "L1");
        var anchor = bodies.FirstOrDefault(b => b.Level == "T12");
        string? anchorLevel = null;
        if (anchor is not null)
        {
            var b = slot[anchor.Component];
            var best = Enumerable.Range(0, levelCount).OrderByDescending(t => overlap[b, t]).First();
            anchorLevel = overlap[b, best] > 0 ? levelNames[best] : "none";
        }
        double RibOf(int t) => t >= 0 && owner[t] >= 0 ? bodies[owner[t]].RibVolumeMm3 : double.NaN;

        var outcome = Classify(levels.Status, coversL1AndL2, correct, diceL1, diceL2, merged, split, spurious, missed, anchorLevel);
        return new LevelDiagnosis(outcome, merged, split, spurious, missed, anchorLevel, RibOf(t12), RibOf(l1));
    }

    internal static LevelOutcome Classify(LevelStatus status, bool coversL1AndL2, bool correct, double? diceL1, double? diceL2,
        int merged, int split, int spurious, int missed, string? anchorLevel)
    {
        if (!coversL1AndL2)
            return status == LevelStatus.Identified ? LevelOutcome.FalseIdentification : LevelOutcome.RefusedCorrectly;
        if (correct)
            return Math.Min(diceL1 ?? 0, diceL2 ?? 0) >= 0.9 ? LevelOutcome.Correct : LevelOutcome.CorrectLowDice;
        if (merged > 0) return LevelOutcome.Merged;
        if (split > 0) return LevelOutcome.Split;
        if (spurious > 0) return LevelOutcome.Spurious;
        if (missed > 0) return LevelOutcome.Missed;
        return status switch
        {
            LevelStatus.NoRibAnchor => LevelOutcome.NoRibAnchor,
            _ when anchorLevel != "T12" => LevelOutcome.RibAssociation,
            LevelStatus.Uncertain => LevelOutcome.UncertainStep,
            LevelStatus.NotCovered => LevelOutcome.FalseNotCovered,
            // Identified at the right anchor with bodies one-to-one, yet a level's overlap fell under 0.5.
            _ => LevelOutcome.CorrectLowDice,
        };
    }

    /// <summary>Bodies below L3 (and any spurious piece there) do not affect the count of L1 and L2.</summary>
    private static double LowestRelevantMm(IReadOnlyList<VertebralBody> bodies, int[] owner, int l3) =>
        l3 >= 0 && owner[l3] >= 0 ? bodies[owner[l3]].BottomMm : double.NegativeInfinity;

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
            if (names[i] == name)
                return i;
        return -1;
    }
}
